#include "tinymlops/core/format.h"

#include <gtest/gtest.h>

namespace tinymlops {
namespace {

TEST(FormatBytes, PowersOf1024WithOneDecimalAboveBytes) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(32 * 1024), "32.0 KiB");
  EXPECT_EQ(format_bytes(4ull << 20), "4.0 MiB");
  EXPECT_EQ(format_bytes(3ull << 50), "3072.0 TiB");
}

}  // namespace
}  // namespace tinymlops
