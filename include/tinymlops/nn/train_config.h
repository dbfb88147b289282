// Everything `tinymlops train` needs, from a YAML file, command-line flags, or both.
//
// One table (train_settings()) names every setting once: its YAML key (e.g.
// "validation_split"), which is also the CLI flag with dashes ("--validation-split"),
// and a help line. YAML files and flags both go through set_train_setting, so
// they accept the same values and give the same errors. Flags override the file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tinymlops/data/normalize.h"
#include "tinymlops/nn/layer_spec.h"
#include "tinymlops/nn/trainer.h"

namespace tinymlops {

struct TrainConfig {
  std::string data;                 // CSV file; required
  std::string label;                // target column; required
  std::optional<Task> task;         // unset: inferred from the label column
  std::vector<int> hidden = {64, 32};
  std::string layers;               // when set, replaces `hidden` (see layer_spec.h)
  std::string input_shape;          // e.g. "8x8x1"; empty: {number of features}
  Initializer init = Initializer::kGlorotUniform;
  NormalizationKind normalization = NormalizationKind::kStandard;
  bool drop_bad_rows = false;
  WindowOptions window{0, 1};       // window 0: off; else rows are a time series (window.h)
  double validation_split = 0.1;
  double test_split = 0.2;
  std::optional<LossKind> loss;     // unset: cross_entropy or mse by task
  std::string class_weights;        // "", "balanced", or one number per class "1,2,1"
  TrainOptions options;             // epochs, batch, lr, optimizer, schedule, seed, ...
  std::string teacher;              // distill from this model file; empty: plain training
  std::string out;                  // model file to write; empty: not written
  std::string history;              // per-epoch CSV to write (history_csv); empty: not written
};

struct TrainSetting {
  const char* key;      // YAML key; CLI flag is "--" + key with '_' -> '-'
  const char* value;    // value placeholder for help, e.g. "N"; "" for on/off flags
  const char* help;
};

// Every setting, in help order.
const std::vector<TrainSetting>& train_settings();

// Sets `key` from its text value. `where` names the place for errors (a flag
// such as "--epochs", or "train.yaml:4:9"). Throws Error(kUsage) for an unknown
// key and Error(kParse) for a bad value.
void set_train_setting(TrainConfig& config, const std::string& key, const std::string& value,
                       const std::string& where);

// Reads a YAML mapping of settings. Sequences (hidden: [64, 32]) are accepted
// where a comma list is. Errors name "file:line:column".
void load_train_config(const std::filesystem::path& path, TrainConfig& config);

// The settings as JSON (recorded as the model's training parameters).
nlohmann::json train_config_to_json(const TrainConfig& config);

}  // namespace tinymlops
