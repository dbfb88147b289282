#include "plate_ocr/plate_format.h"

namespace tinymlops {

const std::vector<PlateFormat>& brazilian_plate_formats() {
  static const std::vector<PlateFormat> formats = {{"old", "LLLNNNN"}, {"mercosul", "LLLNLNN"}};
  return formats;
}

bool matches_format(const std::string& text, const PlateFormat& format) {
  if (text.size() != format.pattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool letter = c >= 'A' && c <= 'Z';
    const bool digit = c >= '0' && c <= '9';
    if (format.pattern[i] == 'L' ? !letter : (format.pattern[i] == 'N' ? !digit : true)) return false;
  }
  return true;
}

}  // namespace tinymlops
