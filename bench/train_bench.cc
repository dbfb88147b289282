// tinymlops side of the training benchmark (see bench/README.md).
//
// usage: train_bench DATA_DIR WORK_DIR
//
// Loads DATA_DIR/digits.csv, splits it (test 0.2, no validation, seed 42),
// fits a standard normalization on the training rows and applies it to both
// sets, and writes them to WORK_DIR/train.csv and WORK_DIR/test.csv (header
// p0..p63,digit; floats in shortest round-trip form) so that the PyTorch side
// (bench/train_vs_pytorch.py) trains on bit-identical float32 inputs. Then it
// trains two models, 30 epochs, batch 32, Adam lr 1e-3, cross-entropy, no early
// stopping, 3 runs with seeds 42, 43, 44; it reports the best wall time around
// train_model() and the mean test accuracy of the runs, one JSON line per model:
//
//   {"impl":"tinymlops","model":"mlp","samples_per_s":...,"seconds":...,"test_accuracy":...,"params":...}
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinymlops/tinymlops.h"

namespace {

using namespace tinymlops;

constexpr int kEpochs = 30;
constexpr int kBatch = 32;
constexpr float kLearningRate = 1e-3f;
constexpr int kRuns = 3;
constexpr uint64_t kSeed = 42;

struct BenchModel {
  const char* name;
  Shape input;
  const char* layers;
};

// Same architectures as bench/train_vs_pytorch.py. The softmax head with the
// cross-entropy loss is what PyTorch's CrossEntropyLoss on logits computes.
const BenchModel kModels[] = {
    {"mlp", Shape{{64}}, "dense:64:relu,dense:32:relu,dense:10,softmax"},
    {"cnn", Shape{{8, 8, 1}}, "conv2d:8:3x3:padding=same:relu,maxpool:2x2,flatten,dense:10,softmax"},
};

// Writes `data` as CSV: the features, then the class name (the digit).
void write_csv(const Dataset& data, const std::filesystem::path& path) {
  std::string text;
  for (const std::string& name : data.feature_names) text += name + ",";
  text += data.label_name + "\n";
  char buffer[64];
  for (Eigen::Index r = 0; r < data.features.rows(); ++r) {
    for (Eigen::Index c = 0; c < data.features.cols(); ++c) {
      std::to_chars_result result = std::to_chars(buffer, buffer + sizeof buffer, data.features(r, c));
      text.append(buffer, result.ptr);
      text += ',';
    }
    text += data.class_names[static_cast<size_t>(data.classes[static_cast<size_t>(r)])];
    text += '\n';
  }
  write_file_atomic(path, text);
}

nlohmann::ordered_json run(const BenchModel& spec, const Dataset& train, const Dataset& test) {
  TrainOptions options;
  options.epochs = kEpochs;
  options.batch_size = kBatch;
  options.learning_rate = kLearningRate;
  options.loss = LossKind::kCrossEntropy;
  options.optimizer.kind = OptimizerKind::kAdam;
  options.optimizer.epsilon = 1e-8f;  // PyTorch's default (tinymlops defaults to 1e-7, as Keras)
  double best = std::numeric_limits<double>::infinity();
  double accuracy_sum = 0;
  int64_t params = 0;
  for (int i = 0; i < kRuns; ++i) {
    Model model(spec.input);
    add_layers(model, parse_layer_specs(spec.layers));
    options.seed = kSeed + static_cast<uint64_t>(i);
    model.build(Initializer::kGlorotUniform, options.seed);
    model.metadata.task = train.task;
    model.metadata.class_names = train.class_names;
    params = model.trainable_parameter_count();

    auto start = std::chrono::steady_clock::now();
    train_model(model, train, /*validation=*/nullptr, options, /*progress=*/nullptr);
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
    accuracy_sum += classification_metrics(test.classes, model.predict(test.features)).accuracy;
  }
  nlohmann::ordered_json line;
  line["impl"] = "tinymlops";
  line["model"] = spec.name;
  line["samples_per_s"] = static_cast<double>(kEpochs) * static_cast<double>(train.size()) / best;
  line["seconds"] = best;
  line["test_accuracy"] = accuracy_sum / kRuns;
  line["params"] = params;
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: train_bench DATA_DIR WORK_DIR\n";
    return 2;
  }
  try {
    std::filesystem::path data_dir = argv[1], work_dir = argv[2];
    std::filesystem::create_directories(work_dir);

    DatasetOptions load_options;
    load_options.label = "digit";
    Dataset data = load_dataset(data_dir / "digits.csv", load_options);
    SplitIndices split = split_dataset(data, /*validation=*/0.0, /*test=*/0.2, kSeed);
    Dataset train = data.subset(split.train), test = data.subset(split.test);
    // Normalize up front (instead of storing it in the model) so that both
    // implementations are timed on the same work with the same inputs.
    Normalization normalization = fit_normalization(NormalizationKind::kStandard, train.features);
    normalization.apply(train.features);
    normalization.apply(test.features);
    write_csv(train, work_dir / "train.csv");
    write_csv(test, work_dir / "test.csv");

    for (const BenchModel& spec : kModels) std::cout << run(spec, train, test).dump() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "train_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
