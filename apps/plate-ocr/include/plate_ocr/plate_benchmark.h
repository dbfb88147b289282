// The benchmark stage of the OCR case study: a character classifier (and
// optionally a reference, e.g. the float model beside the int8 one) reads every
// plate of a labelled plates set; plate and character accuracy, acc@threshold
// with and without the plate rules (plate_metrics.h).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/core/progress.h"

namespace tinymlops {

struct PlateBenchmarkOptions {
  std::filesystem::path model;      // scored at the top level (e.g. the int8 model)
  std::filesystem::path reference;  // optional: scored under "reference" (e.g. the float model)
  std::filesystem::path plates;     // a plates set directory (plates.csv + images)
  std::filesystem::path rules;      // empty: the built-in Brazilian rules
  std::vector<double> thresholds = {0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
  // Files run_plate_benchmark writes (atomically); empty = not written.
  std::filesystem::path out;     // metrics JSON
  std::filesystem::path plot;    // plot CSV
  std::filesystem::path errors;  // misread plates CSV
};

struct PlateBenchmark {
  // score_plates' keys for the model (with "without_heuristics" nested), plus
  // "model" and "variant"; "reference" holds the same for the reference model.
  nlohmann::ordered_json metrics;
  // threshold, then acc@threshold of each model with and without the rules.
  std::string plot_csv;
  // image,model,truth,raw,corrected,min_confidence,failure: every plate a model
  // got wrong after the rules.
  std::string errors_csv;
};

// Reads every plate of the set with each model and scores them. Throws Error
// naming the file for a bad plates set, rules file or model.
PlateBenchmark benchmark_plates(const PlateBenchmarkOptions& options, Progress& progress);

// benchmark_plates, then writes the files options names.
PlateBenchmark run_plate_benchmark(const PlateBenchmarkOptions& options, Progress& progress);

}  // namespace tinymlops
