// Post-processing of plate readings: the plate formats of a country and a map of
// letter<->digit look-alikes, applied where a format demands a letter or a digit.
//
// The classifier reads one character per position, and a few pairs look alike
// (0/O, 1/I, 8/B, 5/S, 2/Z, 6/G ...). Knowing that the first three positions of
// a Brazilian plate are letters turns an "8" read there into a "B":
//
//   const PlateRules& rules = brazilian_plate_rules();    // old LLLNNNN, mercosul LLLNLNN
//   CorrectedPlate fixed = apply_plate_rules("A8C1234", rules);
//   // fixed.text == "ABC1234", fixed.format == "old", fixed.substitutions == 1,
//   // fixed.valid == true
//
// Rules come from a JSON file (docs/plate-ocr-rules.md; the default is
// examples/plate-ocr/rules.json, compiled into the library):
//
//   {"formats": [{"name": "old", "pattern": "LLLNNNN"},
//                {"name": "mercosul", "pattern": "LLLNLNN"}],
//    "to_letter": {"0": "O", "1": "I", "8": "B"},
//    "to_digit": {"O": "0", "I": "1", "B": "8"}}
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "plate_ocr/plate_format.h"

namespace tinymlops {

// Invariants (kept by parse_plate_rules): formats is not empty, names are unique
// and not empty, patterns are non-empty strings of 'L' and 'N'; to_letter maps
// digits '0'..'9' to letters 'A'..'Z', to_digit maps letters to digits.
struct PlateRules {
  std::vector<PlateFormat> formats;  // in file order; the first wins ties
  std::map<char, char> to_letter;    // digit -> look-alike letter, used in 'L' slots
  std::map<char, char> to_digit;     // letter -> look-alike digit, used in 'N' slots
};

bool operator==(const PlateRules& a, const PlateRules& b);

// Parses a rules file's text. `source` names the text in errors, which are one
// line naming the JSON place: "rules.json: to_digit[\"O\"]: expected one digit
// 0-9". Throws Error(kParse) for malformed JSON (with line:column) and
// Error(kInvalid) for content breaking the invariants above, unknown keys, an
// empty "formats" list or a duplicate format name. "to_letter" and "to_digit"
// may be left out (no substitutions of that kind).
PlateRules parse_plate_rules(const std::string& json_text, const std::string& source);

// read_file + parse_plate_rules naming the path.
PlateRules load_plate_rules(const std::filesystem::path& path);

// The built-in rules: Brazil's two formats and the look-alike maps. They are
// parsed from the text of examples/plate-ocr/rules.json, compiled in
// (brazilian_plate_rules_json()), so the two cannot differ.
const PlateRules& brazilian_plate_rules();
const std::string& brazilian_plate_rules_json();

// The result of correcting one reading.
struct CorrectedPlate {
  std::string text;       // the reading with the substitutions applied
  std::string format;     // name of the chosen format; empty when none has the reading's length
  int substitutions = 0;  // positions changed
  int unfixed = 0;        // positions still of the wrong kind for `format`
  int probability_fills = 0;  // of `substitutions`, those taken from the probabilities
  bool valid = false;     // `format` is set and text matches it (unfixed == 0)
};

// Best fit, map only. For each format as long as `raw` (one character per
// position, normally the classifier's argmax), every position of the wrong kind
// is substituted when the map for the kind the format demands has an entry for
// it, else it stays and counts as unfixed. The chosen format has the fewest
// unfixed positions, then the fewest substitutions, then comes first in
// rules.formats. With no format of raw's length, raw comes back unchanged,
// with an empty format and valid == false. A character that is neither 'A'-'Z'
// nor '0'-'9' is of the wrong kind everywhere and never in a map.
CorrectedPlate apply_plate_rules(const std::string& raw, const PlateRules& rules);

// Best fit as above, then, for the chosen format, every position the map left
// unfixed takes the most probable character of the demanded kind (letters or
// digits; the first on ties) from probabilities[position], which holds the
// classifier's kPlateClasses probabilities in kPlateAlphabet order. The format
// choice is the map-only one, so the two functions agree on the format and on
// every position the map can fix; a reading with a format of its length always
// comes back valid. Throws Error(kInvalid) unless probabilities has raw.size()
// rows of kPlateClasses values.
CorrectedPlate apply_plate_rules(const std::string& raw, const std::vector<std::vector<float>>& probabilities,
                                 const PlateRules& rules);

}  // namespace tinymlops
