#include "plate_ocr/plate_format.h"

#include <gtest/gtest.h>

namespace tinymlops {
namespace {

TEST(PlateFormat, BrazilianFormatsMatchTheirExamplesOnly) {
  const auto& formats = brazilian_plate_formats();
  ASSERT_EQ(formats.size(), 2u);
  EXPECT_TRUE(matches_format("ABC1234", formats[0]));
  EXPECT_FALSE(matches_format("ABC1D23", formats[0]));
  EXPECT_TRUE(matches_format("ABC1D23", formats[1]));
  EXPECT_FALSE(matches_format("ABC1234", formats[1]));
  EXPECT_FALSE(matches_format("A8C1234", formats[0]));
  EXPECT_FALSE(matches_format("ABC123", formats[0]));
  EXPECT_FALSE(matches_format("abc1234", formats[0]));
}

TEST(PlateFormat, AlphabetIsInStringLabelOrder) {
  const std::string alphabet = kPlateAlphabet;
  ASSERT_EQ(alphabet.size(), static_cast<std::size_t>(kPlateClasses));
  for (std::size_t i = 1; i < alphabet.size(); ++i) EXPECT_LT(alphabet[i - 1], alphabet[i]);
}

}  // namespace
}  // namespace tinymlops
