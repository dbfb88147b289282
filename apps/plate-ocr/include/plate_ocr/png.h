// 8-bit grayscale PNG files (libpng), for pictures meant for people: contact
// sheets of generated plates in the docs. The data itself stays in PGM (image.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "plate_ocr/image.h"

namespace tinymlops {

// The image as a grayscale PNG (libpng's default compression; the same image
// gives the same bytes with the same libpng and zlib). Throws Error(kInvalid)
// for an empty image.
std::string encode_png(const GrayImage& image);

// write_file_atomic of encode_png, naming the path in errors.
void write_png(const std::filesystem::path& path, const GrayImage& image);

// A grid of `images` (all the same size), `columns` wide, `spacing` px of
// `background` between and around them, each image magnified `scale` times
// (nearest neighbour). REQUIRES columns >= 1, scale >= 1. Throws
// Error(kInvalid) when the images differ in size or there are none.
GrayImage contact_sheet(const std::vector<GrayImage>& images, int columns, int scale = 1, int spacing = 4,
                        std::uint8_t background = 255);

}  // namespace tinymlops
