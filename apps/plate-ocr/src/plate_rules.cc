#include "plate_ocr/plate_rules.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {

// Generated from examples/plate-ocr/rules.json by tinymlops_embed_files (CMakeLists.txt).
const std::vector<std::pair<std::string, std::string>>& plate_rules_files();

namespace {

using nlohmann::json;

bool is_letter(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Throws Error(kInvalid) "SOURCE: PLACE: message".
[[noreturn]] void fail(const std::string& source, const std::string& place, const std::string& message) {
  throw Error(ErrorKind::kInvalid, source, place.empty() ? message : place + ": " + message);
}

// "1:7" for a byte offset into text (nlohmann reports the byte after the error).
std::string line_column(const std::string& text, std::size_t byte) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

void check_keys(const json& object, const std::vector<std::string>& allowed, const std::string& source,
                const std::string& place) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const std::string& name : allowed) known = known || key == name;
    if (!known) {
      std::string list;
      for (const std::string& name : allowed) list += (list.empty() ? "" : ", ") + name;
      fail(source, place.empty() ? json(key).dump() : place + "." + key, "unknown key (expected " + list + ")");
    }
  }
}

std::vector<PlateFormat> parse_formats(const json& list, const std::string& source) {
  if (!list.is_array()) fail(source, "formats", "expected a list of {\"name\": ..., \"pattern\": ...}");
  if (list.empty()) fail(source, "formats", "the list is empty; give at least one format");
  std::vector<PlateFormat> formats;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string place = "formats[" + std::to_string(i) + "]";
    const json& item = list[i];
    if (!item.is_object()) fail(source, place, "expected {\"name\": ..., \"pattern\": ...}");
    check_keys(item, {"name", "pattern"}, source, place);
    for (const char* key : {"name", "pattern"}) {
      if (!item.contains(key)) fail(source, place, std::string("missing \"") + key + "\"");
      if (!item[key].is_string()) fail(source, place + "." + key, "expected a string");
    }
    PlateFormat format{item["name"].get<std::string>(), item["pattern"].get<std::string>()};
    if (format.name.empty()) fail(source, place + ".name", "empty name");
    for (const PlateFormat& earlier : formats) {
      if (earlier.name == format.name) fail(source, place + ".name", "duplicate format name \"" + format.name + "\"");
    }
    if (format.pattern.empty()) fail(source, place + ".pattern", "empty pattern; use L (letter) and N (digit)");
    for (char c : format.pattern) {
      if (c != 'L' && c != 'N') {
        fail(source, place + ".pattern",
             json(format.pattern).dump() + " has " + json(std::string(1, c)).dump() + "; use L (letter) and N (digit)");
      }
    }
    formats.push_back(std::move(format));
  }
  return formats;
}

// A look-alike map: keys of kind `key_is`, values of the other kind.
std::map<char, char> parse_map(const json& object, const std::string& name, bool keys_are_digits,
                               const std::string& source) {
  const char* key_kind = keys_are_digits ? "one digit 0-9" : "one letter A-Z";
  const char* value_kind = keys_are_digits ? "one letter A-Z" : "one digit 0-9";
  if (!object.is_object()) fail(source, name, std::string("expected an object mapping ") + key_kind + " to " + value_kind);
  std::map<char, char> map;
  for (const auto& [key, value] : object.items()) {
    const std::string place = name + "[" + json(key).dump() + "]";
    const bool key_ok = key.size() == 1 && (keys_are_digits ? is_digit(key[0]) : is_letter(key[0]));
    if (!key_ok) fail(source, place, std::string("the key must be ") + key_kind);
    const bool value_ok = value.is_string() && value.get<std::string>().size() == 1 &&
                          (keys_are_digits ? is_letter(value.get<std::string>()[0]) : is_digit(value.get<std::string>()[0]));
    if (!value_ok) fail(source, place, std::string("expected ") + value_kind);
    map[key[0]] = value.get<std::string>()[0];
  }
  return map;
}

// Candidate correction of `raw` for one format, map only.
CorrectedPlate fit_format(const std::string& raw, const PlateFormat& format, const PlateRules& rules) {
  CorrectedPlate fit;
  fit.text = raw;
  fit.format = format.name;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const bool want_letter = format.pattern[i] == 'L';
    const char c = raw[i];
    if (want_letter ? is_letter(c) : is_digit(c)) continue;
    const std::map<char, char>& map = want_letter ? rules.to_letter : rules.to_digit;
    const auto found = map.find(c);
    if (found == map.end()) {
      ++fit.unfixed;
    } else {
      fit.text[i] = found->second;
      ++fit.substitutions;
    }
  }
  fit.valid = fit.unfixed == 0;
  return fit;
}

// The best-fit format's correction (index into rules.formats, or -1 with raw unchanged).
CorrectedPlate best_fit(const std::string& raw, const PlateRules& rules, int* chosen) {
  CorrectedPlate best;
  best.text = raw;
  *chosen = -1;
  for (std::size_t f = 0; f < rules.formats.size(); ++f) {
    if (rules.formats[f].pattern.size() != raw.size()) continue;
    CorrectedPlate fit = fit_format(raw, rules.formats[f], rules);
    const bool better = *chosen < 0 || fit.unfixed < best.unfixed ||
                        (fit.unfixed == best.unfixed && fit.substitutions < best.substitutions);
    if (better) {
      best = std::move(fit);
      *chosen = static_cast<int>(f);
    }
  }
  return best;
}

}  // namespace

bool operator==(const PlateRules& a, const PlateRules& b) {
  if (a.formats.size() != b.formats.size()) return false;
  for (std::size_t i = 0; i < a.formats.size(); ++i) {
    if (a.formats[i].name != b.formats[i].name || a.formats[i].pattern != b.formats[i].pattern) return false;
  }
  return a.to_letter == b.to_letter && a.to_digit == b.to_digit;
}

PlateRules parse_plate_rules(const std::string& json_text, const std::string& source) {
  json document;
  try {
    document = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw Error(ErrorKind::kParse, source + ":" + line_column(json_text, e.byte), "malformed JSON");
  }
  if (!document.is_object()) fail(source, "", "expected a JSON object with \"formats\", \"to_letter\", \"to_digit\"");
  check_keys(document, {"formats", "to_letter", "to_digit"}, source, "");
  if (!document.contains("formats")) fail(source, "", "missing \"formats\" (a list of {\"name\", \"pattern\"})");
  PlateRules rules;
  rules.formats = parse_formats(document["formats"], source);
  if (document.contains("to_letter")) rules.to_letter = parse_map(document["to_letter"], "to_letter", true, source);
  if (document.contains("to_digit")) rules.to_digit = parse_map(document["to_digit"], "to_digit", false, source);
  return rules;
}

PlateRules load_plate_rules(const std::filesystem::path& path) {
  return parse_plate_rules(read_file(path), path.string());
}

const std::string& brazilian_plate_rules_json() {
  static const std::string text = [] {
    for (const auto& [name, content] : plate_rules_files()) {
      if (name == "rules.json") return content;
    }
    throw Error(ErrorKind::kInvalid, "rules.json", "not compiled in (see tinymlops_embed_files in CMakeLists.txt)");
  }();
  return text;
}

const PlateRules& brazilian_plate_rules() {
  static const PlateRules rules = parse_plate_rules(brazilian_plate_rules_json(), "built-in rules.json");
  return rules;
}

CorrectedPlate apply_plate_rules(const std::string& raw, const PlateRules& rules) {
  int chosen = -1;
  return best_fit(raw, rules, &chosen);
}

CorrectedPlate apply_plate_rules(const std::string& raw, const std::vector<std::vector<float>>& probabilities,
                                 const PlateRules& rules) {
  if (probabilities.size() != raw.size()) {
    throw Error(ErrorKind::kInvalid, "plate \"" + raw + "\"",
                std::to_string(probabilities.size()) + " rows of probabilities for " + std::to_string(raw.size()) +
                    " positions");
  }
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    if (probabilities[i].size() != static_cast<std::size_t>(kPlateClasses)) {
      throw Error(ErrorKind::kInvalid, "plate \"" + raw + "\"",
                  "position " + std::to_string(i) + " has " + std::to_string(probabilities[i].size()) +
                      " probabilities, expected " + std::to_string(kPlateClasses));
    }
  }
  int chosen = -1;
  CorrectedPlate plate = best_fit(raw, rules, &chosen);
  if (chosen < 0) return plate;
  const std::string& pattern = rules.formats[static_cast<std::size_t>(chosen)].pattern;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const bool want_letter = pattern[i] == 'L';
    if (want_letter ? is_letter(plate.text[i]) : is_digit(plate.text[i])) continue;
    // kPlateAlphabet: digits are classes 0..9, letters 10..35.
    const int first = want_letter ? 10 : 0;
    const int last = want_letter ? kPlateClasses : 10;
    int best = first;
    for (int k = first + 1; k < last; ++k) {
      if (probabilities[i][static_cast<std::size_t>(k)] > probabilities[i][static_cast<std::size_t>(best)]) best = k;
    }
    plate.text[i] = kPlateAlphabet[best];
    ++plate.substitutions;
    ++plate.probability_fills;
    --plate.unfixed;
  }
  plate.valid = plate.unfixed == 0;
  return plate;
}

}  // namespace tinymlops
