#include "tinymlops/nn/train_job.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "job_support.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/core/version.h"
#include "tinymlops/data/split.h"
#include "tinymlops/nn/metrics.h"
#include "tinymlops/nn/model_file.h"

namespace tinymlops {

namespace {

std::vector<float> parse_class_weights(const std::string& text, const Dataset& train, size_t num_classes) {
  if (text.empty()) return {};
  std::vector<float> weights;
  if (text == "balanced") {
    // w_c = n / (K * n_c), as scikit-learn's "balanced".
    std::vector<size_t> counts(num_classes, 0);
    for (int c : train.classes) counts[static_cast<size_t>(c)]++;
    for (size_t count : counts) {
      weights.push_back(count ? static_cast<float>(train.size()) / static_cast<float>(num_classes * count) : 0.0f);
    }
    return weights;
  }
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    float w = 0;
    auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), w);
    if (ec != std::errc() || ptr != item.data() + item.size() || !(w >= 0)) {
      throw Error(ErrorKind::kParse, "--class-weights", "bad weight '" + item + "'");
    }
    weights.push_back(w);
  }
  if (weights.size() != num_classes) {
    throw Error(ErrorKind::kUsage, "--class-weights",
                std::to_string(weights.size()) + " weights for " + std::to_string(num_classes) + " classes");
  }
  return weights;
}

// The output head appended after the user's layers.
std::vector<LayerSpec> head_specs(const Dataset& data, LossKind loss) {
  if (data.task == Task::kRegression) return {{LayerKind::kDense, {{"units", 1}}}};
  if (loss == LossKind::kBinaryCrossEntropy) {
    return {{LayerKind::kDense, {{"units", 1}}}, {LayerKind::kActivation, {{"function", "sigmoid"}}}};
  }
  return {{LayerKind::kDense, {{"units", data.class_names.size()}}},
          {LayerKind::kActivation, {{"function", "softmax"}}}};
}

}  // namespace

std::string history_csv(const TrainHistory& history) {
  const bool validated = !history.epochs.empty() && !std::isnan(history.epochs.front().validation_loss);
  std::string csv = "epoch,learning_rate,train_loss";
  if (validated) csv += ",validation_loss,validation_" + history.metric_name;
  csv += "\n";
  const auto number = [](double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", value);
    return std::string(text);
  };
  for (const EpochRecord& e : history.epochs) {
    csv += std::to_string(e.epoch) + "," + number(e.learning_rate) + "," + number(e.train_loss);
    if (validated) csv += "," + number(e.validation_loss) + "," + number(e.validation_metric);
    csv += "\n";
  }
  return csv;
}

TrainResult run_training(const TrainConfig& config, Progress& progress) {
  if (config.data.empty()) throw Error(ErrorKind::kUsage, "", "no training data: give --data FILE");
  if (config.label.empty()) throw Error(ErrorKind::kUsage, "", "no target column: give --label COLUMN");
  if (config.validation_split + config.test_split >= 1) {
    throw Error(ErrorKind::kUsage, "", "validation_split + test_split must be below 1");
  }
  // Parse the layers before reading data, so a typo fails fast.
  std::vector<LayerSpec> body = config.layers.empty() ? hidden_dense_specs(config.hidden)
                                                      : parse_layer_specs(config.layers);

  check_window_without_dropping(config.window.window > 0, config.drop_bad_rows);
  DatasetOptions data_options;
  data_options.label = config.label;
  data_options.task = config.task;
  data_options.bad_values = config.drop_bad_rows ? BadValuePolicy::kDropRow : BadValuePolicy::kError;
  Dataset data = load_dataset(config.data, data_options);
  const std::vector<std::string> raw_feature_names = data.feature_names;
  for (const std::string& warning : data.warnings) progress.message("warning: " + warning);
  if (data.dropped_rows) {
    progress.message(config.data + ": dropped " + std::to_string(data.dropped_rows) +
                     " rows with empty/NaN/Inf cells");
  }

  TrainOptions options = config.options;
  Model teacher;
  if (!config.teacher.empty()) {
    teacher = load_model(config.teacher);
    if (teacher.metadata.feature_names != raw_feature_names || teacher.metadata.window.window != config.window.window ||
        teacher.metadata.class_names != data.class_names) {
      throw Error(ErrorKind::kInvalid, config.teacher,
                  "the teacher was trained on other columns, classes or windows than " + config.data);
    }
    options.distill.teacher = &teacher;
  }
  options.loss = config.loss ? *config.loss
                             : (data.task == Task::kClassification ? LossKind::kCrossEntropy : LossKind::kMse);

  Shape input_shape{{static_cast<int>(data.feature_names.size())}};
  const bool windowed = config.window.window > 0;
  if (windowed) {
    input_shape = Shape{{config.window.window, static_cast<int>(data.feature_names.size())}};
    data = make_windows(data, config.window);
  }
  if (!config.input_shape.empty()) {
    input_shape = parse_shape(config.input_shape, "--input-shape");
    if (input_shape.size() != static_cast<int64_t>(data.feature_names.size())) {
      throw Error(ErrorKind::kUsage, "--input-shape",
                  input_shape.to_string() + " holds " + std::to_string(input_shape.size()) +
                      " values but the data has " + std::to_string(data.feature_names.size()) + " features");
    }
  }

  SplitIndices split = windowed ? split_in_order(data.size(), config.validation_split, config.test_split)
                                : split_dataset(data, config.validation_split, config.test_split, options.seed);
  Dataset train = data.subset(split.train);
  Dataset validation = data.subset(split.validation);
  Dataset test = data.subset(split.test);
  options.class_weights = parse_class_weights(config.class_weights, train, data.class_names.size());

  TrainResult result;
  Model& model = result.model;
  model = Model(input_shape);
  add_layers(model, body);
  add_layers(model, head_specs(data, options.loss));
  model.build(config.init, options.seed);
  ModelMetadata& meta = model.metadata;
  meta.task = data.task;
  meta.feature_names = raw_feature_names;
  meta.window = windowed ? config.window : WindowOptions{0, 1};
  meta.label_name = data.label_name;
  meta.class_names = data.class_names;
  meta.normalization = fit_normalization(config.normalization, train.features);

  result.dropped_rows = data.dropped_rows;
  result.train_rows = train.size();
  result.validation_rows = validation.size();
  result.test_rows = test.size();
  result.history = train_model(model, train, validation.size() ? &validation : nullptr, options, &progress);

  if (test.size()) {
    Matrix outputs = model.predict(test.features);
    if (data.task == Task::kClassification) {
      result.test_metrics = to_json(classification_metrics(test.classes, outputs));
    } else {
      result.test_metrics = to_json(regression_metrics(test.values, outputs.col(0)));
    }
  }

  nlohmann::json params = train_config_to_json(config);
  params["loss"] = loss_name(options.loss);
  meta.provenance = {
      {"data_file", std::filesystem::path(config.data).filename().string()},
      {"data_sha256", sha256_file_hex(config.data)},
      {"rows", {{"train", train.size()}, {"validation", validation.size()}, {"test", test.size()}}},
      {"params", params},
      {"seed", options.seed},
      {"epochs_run", result.history.epochs.size()},
      {"best_epoch", result.history.best_epoch},
      {"library_version", kLibraryVersion},
      {"library_build", build_isa()},
  };
  if (!config.out.empty()) {
    const std::string bytes = serialize_model(model);
    write_file_atomic(config.out, bytes);
    result.model_file_bytes = static_cast<int64_t>(bytes.size());
  }
  if (!config.history.empty()) write_file_atomic(config.history, history_csv(result.history));
  return result;
}

}  // namespace tinymlops
