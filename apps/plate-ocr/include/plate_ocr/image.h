// An 8-bit grayscale image and the few operations the OCR case study needs:
// binary PGM files (netpbm P5) in and out, crops and bilinear resizing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tinymlops {

// Row-major pixels, 0 = black, 255 = white. Invariant: pixels.size() ==
// width * height, width and height >= 0.
struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;

  GrayImage() = default;
  // A width x height image filled with `fill`. Throws Error(kInvalid) for a
  // negative size.
  GrayImage(int width, int height, std::uint8_t fill = 0);

  bool empty() const { return width == 0 || height == 0; }
  // No bounds checks: 0 <= x < width, 0 <= y < height.
  std::uint8_t at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)]; }
  std::uint8_t& at(int x, int y) { return pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)]; }
};

// A rectangle of pixels: columns [x, x + width), rows [y, y + height).
struct Box {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

// The image as a binary PGM file (P5, maxval 255).
std::string encode_pgm(const GrayImage& image);
// Parses a binary PGM (P5, maxval 1..255; '#' comments in the header). Throws
// Error(kFormat) "SOURCE: ..." saying what is wrong (bad magic, truncated pixels).
GrayImage decode_pgm(const std::string& bytes, const std::string& source);

// write_file_atomic of encode_pgm; read_file + decode_pgm naming the path.
void write_pgm(const std::filesystem::path& path, const GrayImage& image);
GrayImage read_pgm(const std::filesystem::path& path);

// The pixels of the rectangle [x, x + w) x [y, y + h) of `image`, clipped to the
// image (pixels outside it read as `outside`). w and h must be >= 0.
GrayImage crop(const GrayImage& image, int x, int y, int w, int h, std::uint8_t outside = 255);

// `image` scaled to width x height (both >= 1) by bilinear interpolation with
// pixel centres aligned; deterministic (integer rounding of the result).
// Throws Error(kInvalid) when `image` is empty or the size is not positive.
GrayImage resize_bilinear(const GrayImage& image, int width, int height);

}  // namespace tinymlops
