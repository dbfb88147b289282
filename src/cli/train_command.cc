// tinymlops train
#include <cstdio>
#include <iostream>
#include <map>

#include "commands.h"
#include "tinymlops/core/error.h"
#include "tinymlops/nn/train_job.h"

namespace tinymlops::cli {

namespace {

struct TrainFlags {
  std::string config_file;
  std::map<std::string, std::string> values;  // setting key -> text, for given flags
  std::map<std::string, bool> switches;       // on/off settings
  bool json = false;
  ProgressFlags progress;
};

std::string flag_name(const char* key) {
  std::string flag = key;
  for (char& ch : flag) ch = ch == '_' ? '-' : ch;
  return "--" + flag;
}

void print_summary(const TrainResult& result, const std::string& out) {
  const TrainHistory& h = result.history;
  std::printf("trained on %zu rows (%zu validation, %zu test): %zu epochs%s, best epoch %d\n",
              result.train_rows, result.validation_rows, result.test_rows, h.epochs.size(),
              h.stopped_early ? " (stopped early)" : "", h.best_epoch);
  if (result.dropped_rows) {
    std::printf("dropped %lld rows with empty/NaN/Inf cells\n", static_cast<long long>(result.dropped_rows));
  }
  for (const auto& [key, value] : result.test_metrics.items()) {
    if (value.is_number()) std::printf("test %-16s %.4f\n", key.c_str(), value.get<double>());
  }
  Model& model = const_cast<Model&>(result.model);
  std::printf("model: %lld parameters, %lld MACs per inference\n",
              static_cast<long long>(model.trainable_parameter_count()), static_cast<long long>(model.macs()));
  if (!out.empty()) {
    std::printf("wrote %s (%lld bytes)\n", out.c_str(), static_cast<long long>(result.model_file_bytes));
  }
}

// `train`, and `distill` (the same settings, --teacher required).
void add_training_command(CLI::App& app, const char* name, const char* description, const char* example,
                          bool distill) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* command = app.add_subcommand(name, description);
  command->footer(std::string("Settings may also come from a YAML file (--config); flags override it. Example:\n  ") +
                  example);
  command->add_option("-c,--config", flags->config_file, "YAML file of settings (keys as the flags, with _)")
      ->check(CLI::ExistingFile);
  for (const TrainSetting& setting : train_settings()) {
    if (setting.value[0] == '\0') {
      command->add_flag(flag_name(setting.key), flags->switches[setting.key], setting.help);
    } else {
      command->add_option(flag_name(setting.key), flags->values[setting.key], setting.help)
          ->type_name(setting.value);
    }
  }
  command->add_flag("--json", flags->json, "print the result as JSON on stdout");
  flags->progress.add_to(*command);
  command->callback([flags, command, distill] {
    TrainConfig config;
    if (!flags->config_file.empty()) load_train_config(flags->config_file, config);
    if (distill && command->count("--teacher") == 0 && config.teacher.empty()) {
      throw Error(ErrorKind::kUsage, "--teacher", "distill needs a teacher model");
    }
    for (const TrainSetting& setting : train_settings()) {
      const std::string flag = flag_name(setting.key);
      if (command->count(flag) == 0) continue;
      std::string value = setting.value[0] ? flags->values[setting.key] : "true";
      set_train_setting(config, setting.key, value, flag);
    }
    auto progress = flags->progress.make();
    TrainResult result = run_training(config, *progress);
    if (flags->json) {
      nlohmann::ordered_json report = {
          {"model", config.out},
          {"model_bytes", result.model_file_bytes},
          {"rows", {{"train", result.train_rows}, {"validation", result.validation_rows}, {"test", result.test_rows}}},
          {"dropped_rows", result.dropped_rows},
          {"epochs", result.history.epochs.size()},
          {"best_epoch", result.history.best_epoch},
          {"test", result.test_metrics}};
      std::cout << report.dump(2) << "\n";
    } else {
      print_summary(result, config.out);
    }
  });
}

}  // namespace

void register_train(CLI::App& app) {
  add_training_command(app, "train", "train a model on a CSV file",
                       "tinymlops train --data examples/data/iris.csv --label species --hidden 16 --out iris.tmlm",
                       false);
  add_training_command(app, "distill", "train a small student model from a trained teacher (knowledge distillation)",
                       "tinymlops distill --teacher big.tmlm --data examples/data/digits.csv --label digit "
                       "--hidden 16 --out small.tmlm",
                       true);
}

}  // namespace tinymlops::cli
