#include "plate_ocr/image.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/error.h"

namespace tinymlops {
namespace {

using testing::error_of;

GrayImage gradient(int w, int h) {
  GrayImage image(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) image.at(x, y) = static_cast<std::uint8_t>((x * 16 + y * 3) % 256);
  return image;
}

TEST(GrayImage, PgmRoundTripsEveryPixel) {
  const GrayImage image = gradient(13, 7);
  const GrayImage back = decode_pgm(encode_pgm(image), "mem");
  EXPECT_EQ(back.width, 13);
  EXPECT_EQ(back.height, 7);
  EXPECT_EQ(back.pixels, image.pixels);
}

TEST(GrayImage, PgmHeaderCommentsAndSmallMaxvalAreRead) {
  const std::string bytes = std::string("P5\n# made by hand\n2 1\n# max\n1\n") + '\0' + '\1';
  const GrayImage image = decode_pgm(bytes, "x.pgm");
  ASSERT_EQ(image.pixels.size(), 2u);
  EXPECT_EQ(image.pixels[0], 0);
  EXPECT_EQ(image.pixels[1], 255);
}

TEST(GrayImage, BadPgmSaysWhatIsWrongAndWhere) {
  EXPECT_EQ(error_of([] { decode_pgm("P6\n1 1\n255\nabc", "a.pgm"); }),
            "a.pgm: not a binary PGM image (expected magic P5)");
  EXPECT_EQ(error_of([] { decode_pgm("P5\n4 4\n255\nab", "b.pgm"); }),
            "b.pgm: PGM pixels truncated: 16 bytes expected for 4x4");
  EXPECT_EQ(error_of([] { decode_pgm("P5\n4 x\n255\n", "c.pgm"); }), "c.pgm: PGM header: bad height 'x'");
  EXPECT_EQ(error_of([] { decode_pgm("P5\n1 1\n65535\nab", "d.pgm"); }),
            "d.pgm: PGM maxval 65535 is not 1..255 (16-bit PGM is not supported)");
}

TEST(GrayImage, CropClipsAndFillsOutside) {
  const GrayImage image = gradient(4, 4);
  const GrayImage part = crop(image, 2, -1, 3, 2, 7);
  EXPECT_EQ(part.at(0, 0), 7);  // above the image
  EXPECT_EQ(part.at(0, 1), image.at(2, 0));
  EXPECT_EQ(part.at(1, 1), image.at(3, 0));
  EXPECT_EQ(part.at(2, 1), 7);  // right of the image
}

TEST(GrayImage, ResizeKeepsConstantsAndScalesEdges) {
  EXPECT_EQ(resize_bilinear(GrayImage(5, 3, 200), 11, 9).pixels, std::vector<std::uint8_t>(99, 200));
  GrayImage step(2, 1);
  step.at(0, 0) = 0;
  step.at(1, 0) = 200;
  const GrayImage wide = resize_bilinear(step, 4, 1);
  EXPECT_EQ(wide.pixels, (std::vector<std::uint8_t>{0, 50, 150, 200}));
  EXPECT_NE(error_of([] { resize_bilinear(GrayImage(), 2, 2); }), "");
}

}  // namespace
}  // namespace tinymlops
