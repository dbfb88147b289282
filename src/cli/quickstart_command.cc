// tinymlops quickstart: the first thing a new user runs.
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "tinymlops/core/error.h"
#include "tinymlops/nn/train_job.h"

namespace tinymlops::cli {

void register_quickstart(CLI::App& app) {
  struct Flags {
    std::string data = "examples/data/digits.csv";
    std::string out = "out/digits.tmlm";
    int epochs = 60;
    ProgressFlags progress;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      "quickstart", "train a handwritten-digits classifier (MLP 64-32) on the bundled data and report it");
  command->add_option("--data", flags->data, "digits CSV (label column 'digit')")->capture_default_str();
  command->add_option("--out", flags->out, "model file to write")->capture_default_str();
  command->add_option("--epochs", flags->epochs, "training epochs")->capture_default_str();
  flags->progress.add_to(*command);
  command->callback([flags] {
    if (!std::filesystem::exists(flags->data)) {
      throw Error(ErrorKind::kIo, flags->data, "not found; run from the tinymlops folder or pass --data");
    }
    std::filesystem::path out(flags->out);
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
    TrainConfig config;
    config.data = flags->data;
    config.label = "digit";
    config.hidden = {64, 32};
    config.options.epochs = flags->epochs;
    config.options.seed = 42;
    config.options.early_stopping.patience = 10;
    config.out = flags->out;
    auto progress = flags->progress.make();
    TrainResult result = run_training(config, *progress);
    std::printf("quickstart: digits MLP 64-32, %zu training rows, %zu epochs (best %d)\n", result.train_rows,
                result.history.epochs.size(), result.history.best_epoch);
    std::printf("test accuracy  %.4f on %zu held-out rows\n", result.test_metrics["accuracy"].get<double>(),
                result.test_rows);
    std::printf("model size     %lld parameters, %lld bytes of float32 weights, file %lld bytes\n",
                static_cast<long long>(result.model.trainable_parameter_count()),
                static_cast<long long>(result.model.parameter_count() * 4),
                static_cast<long long>(result.model_file_bytes));
    std::printf("model written  %s\n", flags->out.c_str());
    std::printf("next: tinymlops inspect %s   |   tinymlops evaluate %s --data %s\n", flags->out.c_str(),
                flags->out.c_str(), flags->data.c_str());
  });
}

}  // namespace tinymlops::cli
