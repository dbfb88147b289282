#include "plate_ocr/image.h"

#include <algorithm>
#include <cmath>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {

GrayImage::GrayImage(int w, int h, std::uint8_t fill) : width(w), height(h) {
  if (w < 0 || h < 0) {
    throw Error(ErrorKind::kInvalid, "", "image size " + std::to_string(w) + "x" + std::to_string(h) + " is negative");
  }
  pixels.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), fill);
}

std::string encode_pgm(const GrayImage& image) {
  std::string out = "P5\n" + std::to_string(image.width) + " " + std::to_string(image.height) + "\n255\n";
  out.append(reinterpret_cast<const char*>(image.pixels.data()), image.pixels.size());
  return out;
}

namespace {

// Reads the next header token of a PGM, skipping whitespace and '#' comments.
std::string next_token(const std::string& bytes, std::size_t& pos) {
  while (pos < bytes.size()) {
    const char c = bytes[pos];
    if (c == '#') {
      while (pos < bytes.size() && bytes[pos] != '\n') ++pos;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++pos;
    } else {
      break;
    }
  }
  std::string token;
  while (pos < bytes.size() && bytes[pos] != ' ' && bytes[pos] != '\t' && bytes[pos] != '\n' &&
         bytes[pos] != '\r' && bytes[pos] != '#') {
    token += bytes[pos++];
  }
  return token;
}

int header_number(const std::string& bytes, std::size_t& pos, const std::string& source, const char* what) {
  const std::string token = next_token(bytes, pos);
  if (token.empty() || token.size() > 6 || !std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw Error(ErrorKind::kFormat, source, std::string("PGM header: bad ") + what + " '" + token + "'");
  }
  return std::stoi(token);
}

}  // namespace

GrayImage decode_pgm(const std::string& bytes, const std::string& source) {
  std::size_t pos = 0;
  if (next_token(bytes, pos) != "P5") {
    throw Error(ErrorKind::kFormat, source, "not a binary PGM image (expected magic P5)");
  }
  const int width = header_number(bytes, pos, source, "width");
  const int height = header_number(bytes, pos, source, "height");
  const int maxval = header_number(bytes, pos, source, "maxval");
  if (maxval < 1 || maxval > 255) {
    throw Error(ErrorKind::kFormat, source, "PGM maxval " + std::to_string(maxval) + " is not 1..255 (16-bit PGM is not supported)");
  }
  ++pos;  // the single whitespace byte after maxval
  const std::size_t count = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  if (pos > bytes.size() || bytes.size() - pos < count) {
    throw Error(ErrorKind::kFormat, source, "PGM pixels truncated: " + std::to_string(count) + " bytes expected for " +
                                                std::to_string(width) + "x" + std::to_string(height));
  }
  GrayImage image(width, height);
  for (std::size_t i = 0; i < count; ++i) {
    const int v = static_cast<unsigned char>(bytes[pos + i]);
    image.pixels[i] = static_cast<std::uint8_t>(std::min(255, (v * 255 + maxval / 2) / maxval));
  }
  return image;
}

void write_pgm(const std::filesystem::path& path, const GrayImage& image) {
  write_file_atomic(path, encode_pgm(image));
}

GrayImage read_pgm(const std::filesystem::path& path) {
  return decode_pgm(read_file(path), path.string());
}

GrayImage crop(const GrayImage& image, int x, int y, int w, int h, std::uint8_t outside) {
  GrayImage out(w, h, outside);
  for (int row = 0; row < h; ++row) {
    const int sy = y + row;
    if (sy < 0 || sy >= image.height) continue;
    for (int col = 0; col < w; ++col) {
      const int sx = x + col;
      if (sx >= 0 && sx < image.width) out.at(col, row) = image.at(sx, sy);
    }
  }
  return out;
}

GrayImage resize_bilinear(const GrayImage& image, int width, int height) {
  if (image.empty() || width < 1 || height < 1) {
    throw Error(ErrorKind::kInvalid, "", "cannot resize a " + std::to_string(image.width) + "x" +
                                             std::to_string(image.height) + " image to " + std::to_string(width) +
                                             "x" + std::to_string(height));
  }
  GrayImage out(width, height);
  const double sx = static_cast<double>(image.width) / width;
  const double sy = static_cast<double>(image.height) / height;
  for (int y = 0; y < height; ++y) {
    const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, static_cast<double>(image.height - 1));
    const int y0 = static_cast<int>(fy);
    const int y1 = std::min(y0 + 1, image.height - 1);
    const double wy = fy - y0;
    for (int x = 0; x < width; ++x) {
      const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, static_cast<double>(image.width - 1));
      const int x0 = static_cast<int>(fx);
      const int x1 = std::min(x0 + 1, image.width - 1);
      const double wx = fx - x0;
      const double top = image.at(x0, y0) * (1 - wx) + image.at(x1, y0) * wx;
      const double bottom = image.at(x0, y1) * (1 - wx) + image.at(x1, y1) * wx;
      out.at(x, y) = static_cast<std::uint8_t>(std::lround(top * (1 - wy) + bottom * wy));
    }
  }
  return out;
}

}  // namespace tinymlops
