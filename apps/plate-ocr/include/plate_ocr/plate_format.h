// License-plate formats as patterns of letters and digits, and the 36-character
// alphabet the OCR classifier knows.
#pragma once

#include <string>
#include <vector>

namespace tinymlops {

// The classifier's classes, in class-id order: '0'..'9' then 'A'..'Z' (the byte
// order tinymlops uses for string labels, so a model trained on a "char" column
// of these strings has exactly these class names).
inline constexpr char kPlateAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
inline constexpr int kPlateClasses = 36;

// A format: one pattern character per plate position, 'L' a letter A-Z, 'N' a
// digit 0-9. Brazil: "old" LLLNNNN ("ABC1234"), "mercosul" LLLNLNN ("ABC1D23").
struct PlateFormat {
  std::string name;
  std::string pattern;
};

// The two Brazilian formats above, old first.
const std::vector<PlateFormat>& brazilian_plate_formats();

// True when `text` has the pattern's length and every character is of the kind
// the pattern demands at its position.
bool matches_format(const std::string& text, const PlateFormat& format);

}  // namespace tinymlops
