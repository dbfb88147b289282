// The `ocr` command group of the license-plate OCR case study (docs/plate-ocr.md):
// read and benchmark here; make-data, crops, segment and fix in their own files.
#include <cstdio>
#include <iostream>

#include "ocr_commands.h"
#include "plate_ocr/plate_benchmark.h"
#include "plate_ocr/plate_reader.h"

namespace tinymlops::cli {

namespace {

struct ReadFlags {
  std::string model;
  std::vector<std::string> images;
  std::string rules;
  bool json = false;
};

void add_read_command(CLI::App& ocr) {
  auto flags = std::make_shared<ReadFlags>();
  CLI::App* read = ocr.add_subcommand("read", "read plate images (PGM) with a character classifier and the plate rules");
  read->add_option("model", flags->model, "character classifier (.tmlm or .tdm, input HxWx1, classes 0-9 A-Z)")
      ->required();
  read->add_option("images", flags->images, "plate images (binary PGM)")->required();
  read->add_option("--rules", flags->rules, "plate rules JSON (default: the Brazilian formats, docs/plate-ocr-rules.md)");
  read->add_flag("--json", flags->json, "one JSON object per image");
  read->footer("Example:\n  tinymlops ocr read models/ocr-int8.tdm data/test-plates/plates/000001.pgm");
  read->callback([flags] {
    const PlateReader reader(flags->model, flags->rules.empty() ? brazilian_plate_rules() : load_plate_rules(flags->rules));
    std::vector<GrayImage> images;
    for (const std::string& image : flags->images) images.push_back(read_pgm(image));
    const std::vector<PlateReading> readings = reader.read(images);
    for (std::size_t i = 0; i < readings.size(); ++i) {
      const PlateReading& r = readings[i];
      if (flags->json) {
        nlohmann::ordered_json line = {{"image", flags->images[i]},     {"segmented", r.segmented},
                                       {"failure", r.failure},          {"raw", r.raw},
                                       {"text", r.corrected.text},      {"format", r.corrected.format},
                                       {"substitutions", r.corrected.substitutions},
                                       {"valid", r.corrected.valid},    {"confidences", r.confidences}};
        std::cout << line.dump() << "\n";
      } else if (!r.segmented) {
        std::printf("%s: not read: %s\n", flags->images[i].c_str(), r.failure.c_str());
      } else {
        double least = 1.0;
        for (double c : r.confidences) least = std::min(least, c);
        std::printf("%s: %s (%s%s, raw %s, min confidence %.2f)\n", flags->images[i].c_str(),
                    r.corrected.text.c_str(), r.corrected.valid ? r.corrected.format.c_str() : "no format",
                    r.corrected.substitutions ? ", corrected" : "", r.raw.c_str(), least);
      }
    }
  });
}

struct BenchmarkFlags {
  PlateBenchmarkOptions options;
  bool json = false;
  ProgressFlags progress;
};

void print_scores(const char* title, const nlohmann::ordered_json& m) {
  const auto& raw = m["without_heuristics"];
  std::printf("%-8s %-9s plate %.4f (without rules %.4f)  char %.4f (%.4f)  acc@0.5 %.4f (%.4f)  segmentation failures %lld\n",
              title, m["variant"].get<std::string>().c_str(), m["plate_accuracy"].get<double>(),
              raw["plate_accuracy"].get<double>(), m["char_accuracy"].get<double>(), raw["char_accuracy"].get<double>(),
              m["acc@0.5"].get<double>(), raw["acc@0.5"].get<double>(), m["segmentation_failures"].get<long long>());
}

void add_benchmark_command(CLI::App& ocr) {
  auto flags = std::make_shared<BenchmarkFlags>();
  CLI::App* bench = ocr.add_subcommand(
      "benchmark", "score a character classifier on a plates set: plate accuracy at confidence thresholds, with and without the plate rules");
  auto& o = flags->options;
  bench->add_option("model", o.model, "character classifier to score (e.g. the int8 .tdm)")->required();
  bench->add_option("--plates", o.plates, "plates set directory (plates.csv + images, from ocr make-data)")->required();
  bench->add_option("--reference", o.reference, "a second model scored beside it (e.g. the float .tmlm)");
  bench->add_option("--rules", o.rules, "plate rules JSON (default: the Brazilian formats)");
  bench->add_option("--thresholds", o.thresholds, "confidence thresholds of acc@T (default 0.2,0.3,...,0.9)")
      ->delimiter(',');
  bench->add_option("-o,--out", o.out, "write the metrics JSON here (for gates: acc@0.5 ...)");
  bench->add_option("--plot", o.plot, "write the acc@threshold curves as CSV here (tinymlops plots draws it)");
  bench->add_option("--errors", o.errors, "write every misread plate as CSV here");
  bench->add_flag("--json", flags->json, "print the metrics JSON on stdout");
  flags->progress.add_to(*bench);
  bench->footer(
      "acc@T: the fraction of plates read entirely right whose least confident character has probability >= T.\n"
      "Example:\n  tinymlops ocr benchmark models/ocr-int8.tdm --reference models/ocr.tmlm --plates data/test-plates \\\n"
      "      --out metrics/plates.json --plot plots/plate_accuracy.csv");
  bench->callback([flags] {
    auto progress = flags->progress.make();
    const PlateBenchmark result = run_plate_benchmark(flags->options, *progress);
    if (flags->json) {
      std::cout << result.metrics.dump(2) << "\n";
      return;
    }
    if (flags->progress.quiet) return;
    std::printf("%lld plates\n", result.metrics["plates"].get<long long>());
    print_scores("model", result.metrics);
    if (result.metrics.contains("reference")) print_scores("reference", result.metrics["reference"]);
  });
}

}  // namespace

void register_ocr_commands(CLI::App& app) {
  CLI::App* ocr = app.add_subcommand("ocr", "license-plate OCR: make plates, cut characters, read and score plates");
  ocr->require_subcommand(1);
  add_read_command(*ocr);
  add_benchmark_command(*ocr);
  // Each helper's subcommand is added here:
  add_ocr_fix_command(*ocr);
  add_ocr_make_data_command(*ocr);
  add_ocr_crops_command(*ocr);
}

}  // namespace tinymlops::cli
