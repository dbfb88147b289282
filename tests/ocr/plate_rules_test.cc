#include "plate_ocr/plate_rules.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {
namespace {

using testing::error_of;

void expect_fix(const std::string& raw, const std::string& text, const std::string& format, int substitutions,
                bool valid, const PlateRules& rules = brazilian_plate_rules()) {
  SCOPED_TRACE(raw);
  const CorrectedPlate plate = apply_plate_rules(raw, rules);
  EXPECT_EQ(plate.text, text);
  EXPECT_EQ(plate.format, format);
  EXPECT_EQ(plate.substitutions, substitutions);
  EXPECT_EQ(plate.valid, valid);
  EXPECT_EQ(plate.probability_fills, 0);
  for (const PlateFormat& f : rules.formats) {
    if (f.name == format) EXPECT_EQ(matches_format(plate.text, f), valid);
  }
}

TEST(PlateRules, DefaultRulesAreTheExampleFileAndBrazilsFormats) {
  const std::string file = read_file(testing::source_dir() / "examples/plate-ocr/rules.json");
  EXPECT_EQ(brazilian_plate_rules_json(), file);
  const PlateRules& rules = brazilian_plate_rules();
  EXPECT_TRUE(rules == load_plate_rules(testing::source_dir() / "examples/plate-ocr/rules.json"));
  ASSERT_EQ(rules.formats.size(), 2u);
  EXPECT_EQ(rules.formats[0].name, brazilian_plate_formats()[0].name);
  EXPECT_EQ(rules.formats[0].pattern, brazilian_plate_formats()[0].pattern);
  EXPECT_EQ(rules.formats[1].name, brazilian_plate_formats()[1].name);
  EXPECT_EQ(rules.formats[1].pattern, brazilian_plate_formats()[1].pattern);
  // The look-alikes the issue names, both ways.
  for (auto [digit, letter] : {std::pair{'0', 'O'}, {'1', 'I'}, {'8', 'B'}, {'5', 'S'}, {'2', 'Z'}, {'6', 'G'}}) {
    EXPECT_EQ(rules.to_letter.at(digit), letter);
    EXPECT_EQ(rules.to_digit.at(letter), digit);
  }
  EXPECT_EQ(rules.to_digit.at('D'), '0');
  EXPECT_EQ(rules.to_digit.at('Q'), '0');
}

TEST(PlateRules, ValidReadingsStayAsTheyAre) {
  expect_fix("ABC1234", "ABC1234", "old", 0, true);
  expect_fix("ABC1D23", "ABC1D23", "mercosul", 0, true);
  // 'O' in Mercosul's letter slot is a letter: no reason to read it as a digit.
  expect_fix("ABC1O23", "ABC1O23", "mercosul", 0, true);
}

TEST(PlateRules, LookAlikesAreFixedWhereTheFormatDemandsTheOtherKind) {
  expect_fix("A8C1234", "ABC1234", "old", 1, true);       // the issue's example
  expect_fix("0BC1234", "OBC1234", "old", 1, true);       // digit in a letter slot
  expect_fix("ABCI234", "ABC1234", "old", 1, true);       // letter in a digit slot
  expect_fix("A8C1D23", "ABC1D23", "mercosul", 1, true);  // old would need 2 (8->B, D->0)
  expect_fix("ABC1DZ3", "ABC1D23", "mercosul", 1, true);  // old would need 2 (D->0, Z->2)
  expect_fix("5BC1G23", "SBC1G23", "mercosul", 1, true);
  expect_fix("8Z0IS2O", "BZO1S20", "mercosul", 4, true);  // old needs 5 (also S->5)
}

TEST(PlateRules, FewestUnfixedWinsOverFewestSubstitutions) {
  // Old: 'X' in a digit slot is unfixable. Mercosul: X is a letter there.
  expect_fix("ABC1XB3", "ABC1X83", "mercosul", 1, true);
  // "digits": 'X' unfixable, no substitutions; "letters": 3 substitutions, none
  // unfixed. The valid reading wins although it changes more.
  PlateRules rules = brazilian_plate_rules();
  rules.formats = {{"digits", "NNNN"}, {"letters", "LLLL"}};
  expect_fix("X012", "XOIZ", "letters", 3, true, rules);
}

TEST(PlateRules, TiesGoToTheFirstListedFormat) {
  // The same pattern under two names fits equally well: the order decides.
  PlateRules rules = brazilian_plate_rules();
  rules.formats = {{"first", "LLLNNNN"}, {"second", "LLLNNNN"}};
  expect_fix("A8C1234", "ABC1234", "first", 1, true, rules);
  std::swap(rules.formats[0], rules.formats[1]);
  expect_fix("A8C1234", "ABC1234", "second", 1, true, rules);
}

TEST(PlateRules, ReadingsThatFitNoFormatComeBackInvalid) {
  // 'X' and 'Y' have no digit look-alike: old leaves 2 unfixed, Mercosul 1 ('X'
  // at position 3), and Mercosul's fixable '8' is still substituted.
  const CorrectedPlate plate = apply_plate_rules("A8CXY23", brazilian_plate_rules());
  EXPECT_EQ(plate.text, "ABCXY23");
  EXPECT_EQ(plate.format, "mercosul");
  EXPECT_EQ(plate.substitutions, 1);
  EXPECT_EQ(plate.unfixed, 1);
  EXPECT_FALSE(plate.valid);
  // '3' -> letter has no entry: unfixable in both formats' letter slots.
  const CorrectedPlate three = apply_plate_rules("3BC1234", brazilian_plate_rules());
  EXPECT_EQ(three.text, "3BC1234");
  EXPECT_EQ(three.format, "old");
  EXPECT_EQ(three.unfixed, 1);
  EXPECT_FALSE(three.valid);
  // Lower case and punctuation are of neither kind.
  const CorrectedPlate lower = apply_plate_rules("abc1234", brazilian_plate_rules());
  EXPECT_EQ(lower.text, "abc1234");
  EXPECT_EQ(lower.unfixed, 3);
  EXPECT_FALSE(lower.valid);
}

TEST(PlateRules, WrongLengthsComeBackUnchangedWithoutFormat) {
  for (const std::string raw : {"", "A8C123", "A8C12345", "A"}) {
    SCOPED_TRACE(raw);
    const CorrectedPlate plate = apply_plate_rules(raw, brazilian_plate_rules());
    EXPECT_EQ(plate.text, raw);
    EXPECT_EQ(plate.format, "");
    EXPECT_EQ(plate.substitutions, 0);
    EXPECT_FALSE(plate.valid);
  }
}

TEST(PlateRules, CustomRulesFileWithAnotherCountrysPatterns) {
  // Argentina: old "ABC123" (LLLNNN), Mercosur "AB123CD" (LLNNNLL).
  testing::TempDir dir;
  const auto path = dir.write("argentina.json", R"({
    "formats": [{"name": "ar-old", "pattern": "LLLNNN"}, {"name": "ar-mercosur", "pattern": "LLNNNLL"}],
    "to_letter": {"0": "O", "8": "B"},
    "to_digit": {"I": "1", "S": "5"}
  })");
  const PlateRules rules = load_plate_rules(path);
  ASSERT_EQ(rules.formats.size(), 2u);
  expect_fix("ABCI23", "ABC123", "ar-old", 1, true, rules);
  const CorrectedPlate plate = apply_plate_rules("A8I2S0D", rules);
  EXPECT_EQ(plate.text, "AB125OD");
  EXPECT_EQ(plate.format, "ar-mercosur");
  EXPECT_EQ(plate.substitutions, 4);
  EXPECT_TRUE(plate.valid);
  // Brazilian 7-character plates fit Mercosur's length only.
  EXPECT_EQ(apply_plate_rules("ABC1234", rules).format, "ar-mercosur");
  EXPECT_FALSE(apply_plate_rules("ABC1234", rules).valid);
}

TEST(PlateRules, MapsMayBeLeftOut) {
  const PlateRules rules = parse_plate_rules(R"({"formats": [{"name": "x", "pattern": "LN"}]})", "x.json");
  EXPECT_TRUE(rules.to_letter.empty());
  EXPECT_TRUE(rules.to_digit.empty());
  const CorrectedPlate plate = apply_plate_rules("8B", rules);
  EXPECT_EQ(plate.text, "8B");
  EXPECT_EQ(plate.unfixed, 2);
  EXPECT_FALSE(plate.valid);
}

TEST(PlateRules, BadFilesGiveOneLineErrorsNamingFileAndPlace) {
  auto error = [](const std::string& text) {
    return error_of([&] { parse_plate_rules(text, "rules.json"); });
  };
  const std::string formats = R"("formats": [{"name": "old", "pattern": "LLLNNNN"}])";
  EXPECT_EQ(error("{" + formats + R"(, "to_digit": {"O": "o"}})"), "rules.json: to_digit[\"O\"]: expected one digit 0-9");
  EXPECT_EQ(error("{" + formats + R"(, "to_digit": {"O": "00"}})"), "rules.json: to_digit[\"O\"]: expected one digit 0-9");
  EXPECT_EQ(error("{" + formats + R"(, "to_digit": {"O": 0}})"), "rules.json: to_digit[\"O\"]: expected one digit 0-9");
  EXPECT_EQ(error("{" + formats + R"(, "to_digit": {"0": "0"}})"), "rules.json: to_digit[\"0\"]: the key must be one letter A-Z");
  EXPECT_EQ(error("{" + formats + R"(, "to_letter": {"0": "1"}})"), "rules.json: to_letter[\"0\"]: expected one letter A-Z");
  EXPECT_EQ(error("{" + formats + R"(, "to_letter": {"OO": "O"}})"), "rules.json: to_letter[\"OO\"]: the key must be one digit 0-9");
  EXPECT_EQ(error("{" + formats + R"(, "to_letter": ["0"]})"),
            "rules.json: to_letter: expected an object mapping one digit 0-9 to one letter A-Z");
  EXPECT_EQ(error(R"({"formats": [{"name": "old", "pattern": "LLLNXNN"}]})"),
            "rules.json: formats[0].pattern: \"LLLNXNN\" has \"X\"; use L (letter) and N (digit)");
  EXPECT_EQ(error(R"({"formats": [{"name": "old", "pattern": ""}]})"),
            "rules.json: formats[0].pattern: empty pattern; use L (letter) and N (digit)");
  EXPECT_EQ(error(R"({"formats": [{"name": "a", "pattern": "LN"}, {"name": "a", "pattern": "NL"}]})"),
            "rules.json: formats[1].name: duplicate format name \"a\"");
  EXPECT_EQ(error(R"({"formats": [{"name": "", "pattern": "LN"}]})"), "rules.json: formats[0].name: empty name");
  EXPECT_EQ(error(R"({"formats": [{"pattern": "LN"}]})"), "rules.json: formats[0]: missing \"name\"");
  EXPECT_EQ(error(R"({"formats": [{"name": "a", "pattern": 7}]})"), "rules.json: formats[0].pattern: expected a string");
  EXPECT_EQ(error(R"({"formats": [{"name": "a", "pattern": "LN", "size": 2}]})"),
            "rules.json: formats[0].size: unknown key (expected name, pattern)");
  EXPECT_EQ(error(R"({"formats": []})"), "rules.json: formats: the list is empty; give at least one format");
  EXPECT_EQ(error(R"({"formats": {}})"), "rules.json: formats: expected a list of {\"name\": ..., \"pattern\": ...}");
  EXPECT_EQ(error(R"({"to_letter": {}})"), "rules.json: missing \"formats\" (a list of {\"name\", \"pattern\"})");
  EXPECT_EQ(error("{" + formats + R"(, "to_digits": {}})"),
            "rules.json: \"to_digits\": unknown key (expected formats, to_letter, to_digit)");
  EXPECT_EQ(error("[]"), "rules.json: expected a JSON object with \"formats\", \"to_letter\", \"to_digit\"");
  EXPECT_EQ(error("{\n  \"formats\": [,]\n}"), "rules.json:2:15: malformed JSON");  // at the comma
  // Every message is one line, and a missing file names its path.
  testing::TempDir dir;
  const std::string missing = (dir.path() / "nope.json").string();
  const std::string io = error_of([&] { load_plate_rules(missing); });
  EXPECT_NE(io.find(missing), std::string::npos) << io;
  EXPECT_EQ(io.find('\n'), std::string::npos);
}

TEST(PlateRules, LoadedErrorsNameThePath) {
  testing::TempDir dir;
  const auto path = dir.write("bad.json", R"({"formats": [{"name": "a", "pattern": "LQ"}]})");
  EXPECT_EQ(error_of([&] { load_plate_rules(path); }),
            path.string() + ": formats[0].pattern: \"LQ\" has \"Q\"; use L (letter) and N (digit)");
}

// Probabilities that make `likely` the argmax (0.6) at every position, every
// other class 0.01.
std::vector<std::vector<float>> probabilities_for(const std::string& likely) {
  std::vector<std::vector<float>> rows;
  for (char c : likely) {
    std::vector<float> row(static_cast<std::size_t>(kPlateClasses), 0.01f);
    row[std::string(kPlateAlphabet).find(c)] = 0.6f;
    rows.push_back(row);
  }
  return rows;
}

TEST(PlateRules, ProbabilitiesFillWhatTheMapCannot) {
  const std::string alphabet = kPlateAlphabet;
  // "3BC1234": '3' in a letter slot has no map entry; the most probable letter
  // there ('E') fills it.
  auto probabilities = probabilities_for("3BC1234");
  probabilities[0][alphabet.find('E')] = 0.3f;
  probabilities[0][alphabet.find('F')] = 0.2f;
  const CorrectedPlate plate = apply_plate_rules("3BC1234", probabilities, brazilian_plate_rules());
  EXPECT_EQ(plate.text, "EBC1234");
  EXPECT_EQ(plate.format, "old");
  EXPECT_EQ(plate.substitutions, 1);
  EXPECT_EQ(plate.probability_fills, 1);
  EXPECT_EQ(plate.unfixed, 0);
  EXPECT_TRUE(plate.valid);

  // The map still decides where it has an entry, even against the probabilities:
  // '8' -> 'B' although 'R' is the likelier letter.
  probabilities = probabilities_for("A8C1234");
  probabilities[1][alphabet.find('R')] = 0.39f;
  const CorrectedPlate mapped = apply_plate_rules("A8C1234", probabilities, brazilian_plate_rules());
  EXPECT_EQ(mapped.text, "ABC1234");
  EXPECT_EQ(mapped.probability_fills, 0);

  // The format is the map-only choice (Mercosul: one unfixed 'X' at position 3),
  // and the fill picks the likeliest digit there, ties to the first ('0' < '7').
  probabilities = probabilities_for("A8CXY23");
  probabilities[3][alphabet.find('7')] = 0.2f;
  probabilities[3][alphabet.find('0')] = 0.2f;
  const CorrectedPlate filled = apply_plate_rules("A8CXY23", probabilities, brazilian_plate_rules());
  EXPECT_EQ(apply_plate_rules("A8CXY23", brazilian_plate_rules()).format, "mercosul");
  EXPECT_EQ(filled.text, "ABC0Y23");
  EXPECT_EQ(filled.format, "mercosul");
  EXPECT_EQ(filled.substitutions, 2);
  EXPECT_EQ(filled.probability_fills, 1);
  EXPECT_TRUE(filled.valid);

  // Wrong lengths stay unchanged; mismatched probabilities are refused.
  EXPECT_EQ(apply_plate_rules("AB", probabilities_for("AB"), brazilian_plate_rules()).text, "AB");
  EXPECT_EQ(error_of([&] { apply_plate_rules("ABC1234", probabilities_for("ABC123"), brazilian_plate_rules()); }),
            "plate \"ABC1234\": 6 rows of probabilities for 7 positions");
  auto short_row = probabilities_for("ABC1234");
  short_row[2].pop_back();
  EXPECT_EQ(error_of([&] { apply_plate_rules("ABC1234", short_row, brazilian_plate_rules()); }),
            "plate \"ABC1234\": position 2 has 35 probabilities, expected 36");
}

TEST(PlateRules, ProbabilityPathAgreesWithMapOnlyPathWhenTheMapSuffices) {
  for (const std::string raw : {"A8C1234", "0BC1234", "ABCI234", "A8C1D23", "ABC1O23", "8Z0IS2O"}) {
    SCOPED_TRACE(raw);
    const CorrectedPlate map_only = apply_plate_rules(raw, brazilian_plate_rules());
    const CorrectedPlate with_probabilities = apply_plate_rules(raw, probabilities_for(raw), brazilian_plate_rules());
    EXPECT_EQ(with_probabilities.text, map_only.text);
    EXPECT_EQ(with_probabilities.format, map_only.format);
    EXPECT_EQ(with_probabilities.substitutions, map_only.substitutions);
    EXPECT_EQ(with_probabilities.valid, map_only.valid);
  }
}

}  // namespace
}  // namespace tinymlops
