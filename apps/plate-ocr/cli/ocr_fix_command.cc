// tinymlops ocr fix: the plate rules (docs/plate-ocr-rules.md) on readings typed
// on the command line.
#include <cstdio>
#include <iostream>

#include "ocr_commands.h"
#include "plate_ocr/plate_rules.h"

namespace tinymlops::cli {

void add_ocr_fix_command(CLI::App& ocr) {
  struct Flags {
    std::vector<std::string> texts;
    std::string rules;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = ocr.add_subcommand(
      "fix", "correct plate readings with the format rules and the letter<->digit look-alike map (best-fit format)");
  command->add_option("TEXT", flags->texts, "raw readings, one character per position (e.g. A8C1234)")->required();
  command->add_option("--rules", flags->rules,
                      "rules JSON file (default: the built-in Brazilian rules, examples/plate-ocr/rules.json)");
  command->add_flag("--json", flags->json, "print a JSON list, one object per reading");
  command->callback([flags] {
    const PlateRules rules = flags->rules.empty() ? brazilian_plate_rules() : load_plate_rules(flags->rules);
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const std::string& raw : flags->texts) {
      const CorrectedPlate plate = apply_plate_rules(raw, rules);
      if (flags->json) {
        list.push_back({{"raw", raw},
                        {"corrected", plate.text},
                        {"format", plate.format},
                        {"substitutions", plate.substitutions},
                        {"unfixed", plate.unfixed},
                        {"valid", plate.valid}});
        continue;
      }
      std::printf("%s -> %s  ", raw.c_str(), plate.text.c_str());
      if (plate.format.empty()) {
        std::printf("no format has %zu characters  invalid\n", raw.size());
      } else {
        std::printf("%s  %d substitution%s%s\n", plate.format.c_str(), plate.substitutions,
                    plate.substitutions == 1 ? "" : "s",
                    plate.valid ? "" : ("  invalid (" + std::to_string(plate.unfixed) + " unfixed)").c_str());
      }
    }
    if (flags->json) std::cout << list.dump(2) << "\n";
  });
}

}  // namespace tinymlops::cli
