#include "plate_ocr/png.h"

#include <png.h>

#include <algorithm>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {

std::string encode_png(const GrayImage& image) {
  if (image.empty()) throw Error(ErrorKind::kInvalid, "png", "cannot encode an empty image");
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&png, nullptr, &size, 0, image.pixels.data(), image.width, nullptr)) {
    throw Error(ErrorKind::kInvalid, "png", std::string("libpng: ") + png.message);
  }
  std::string bytes(size, '\0');
  if (!png_image_write_to_memory(&png, bytes.data(), &size, 0, image.pixels.data(), image.width, nullptr)) {
    throw Error(ErrorKind::kInvalid, "png", std::string("libpng: ") + png.message);
  }
  bytes.resize(size);
  png_image_free(&png);
  return bytes;
}

void write_png(const std::filesystem::path& path, const GrayImage& image) {
  std::string bytes;
  try {
    bytes = encode_png(image);
  } catch (const Error& e) {
    throw Error(e.kind(), path.string(), e.message());
  }
  write_file_atomic(path, bytes);
}

GrayImage contact_sheet(const std::vector<GrayImage>& images, int columns, int scale, int spacing, std::uint8_t background) {
  if (images.empty()) throw Error(ErrorKind::kInvalid, "contact sheet", "no images");
  if (columns < 1 || scale < 1 || spacing < 0) {
    throw Error(ErrorKind::kInvalid, "contact sheet", "columns and scale must be >= 1 and spacing >= 0");
  }
  const int w = images[0].width, h = images[0].height;
  for (const GrayImage& image : images) {
    if (image.width != w || image.height != h) {
      throw Error(ErrorKind::kInvalid, "contact sheet", "images differ in size (" + std::to_string(image.width) + "x" +
                                                            std::to_string(image.height) + " vs " + std::to_string(w) +
                                                            "x" + std::to_string(h) + ")");
    }
  }
  const int count = static_cast<int>(images.size());
  const int cols = std::min(columns, count);
  const int rows = (count + cols - 1) / cols;
  GrayImage sheet(spacing + cols * (w * scale + spacing), spacing + rows * (h * scale + spacing), background);
  for (int i = 0; i < count; ++i) {
    const int ox = spacing + (i % cols) * (w * scale + spacing);
    const int oy = spacing + (i / cols) * (h * scale + spacing);
    for (int y = 0; y < h * scale; ++y) {
      for (int x = 0; x < w * scale; ++x) sheet.at(ox + x, oy + y) = images[static_cast<std::size_t>(i)].at(x / scale, y / scale);
    }
  }
  return sheet;
}

}  // namespace tinymlops
