#include "tinymlops/nn/workflow.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

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

// Dropping a row from a time series would put rows that were not consecutive
// into one window, so the two options exclude each other.
void check_window_without_dropping(bool windowed, bool drop_bad_rows) {
  if (windowed && drop_bad_rows) {
    throw Error(ErrorKind::kUsage, "--drop-bad-rows",
                "cannot drop rows of a windowed time series (a window would join rows that are "
                "not consecutive); clean the series first");
  }
}


std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char ch : text) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return quoted + "\"";
}

std::string format_float(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
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

Dataset load_for_model(const ModelMetadata& meta, const std::filesystem::path& data, bool drop_bad_rows,
                       bool require_label) {
  check_window_without_dropping(meta.window.window > 0, drop_bad_rows);
  DatasetOptions options;
  options.label = meta.label_name;
  options.task = meta.task;
  options.bad_values = drop_bad_rows ? BadValuePolicy::kDropRow : BadValuePolicy::kError;
  options.class_names = meta.class_names;
  options.feature_names = meta.feature_names;
  options.require_label = require_label;
  Dataset dataset = load_dataset(data, options);
  return meta.window.window > 0 ? make_windows(dataset, meta.window) : dataset;
}

nlohmann::ordered_json evaluate_model(Model& model, const std::filesystem::path& data, bool drop_bad_rows) {
  return evaluate_predictor(model.metadata, [&](const Matrix& x) { return model.predict(x); }, data, drop_bad_rows);
}

nlohmann::ordered_json evaluate_predictor(const ModelMetadata& meta, const Predictor& predict,
                                          const std::filesystem::path& data, bool drop_bad_rows) {
  Dataset dataset = load_for_model(meta, data, drop_bad_rows, true);
  if (dataset.size() == 0) throw Error(ErrorKind::kInvalid, data.string(), "no rows to evaluate");
  Matrix outputs = predict(dataset.features);
  nlohmann::ordered_json report = {{"rows", dataset.size()}};
  if (meta.task == Task::kClassification) {
    report.update(to_json(classification_metrics(dataset.classes, outputs)));
    report["classes"] = meta.class_names;
  } else {
    report.update(to_json(regression_metrics(dataset.values, outputs.col(0))));
  }
  if (drop_bad_rows) report["dropped_rows"] = dataset.dropped_rows;
  return report;
}

PredictSummary predict_to_csv(Model& model, const std::filesystem::path& data, const std::filesystem::path& out,
                            bool drop_bad_rows, bool probabilities) {
  return predict_to_csv(model.metadata, [&](const Matrix& x) { return model.predict(x); }, data, out, drop_bad_rows,
                        probabilities);
}

PredictSummary predict_to_csv(const ModelMetadata& meta, const Predictor& predict, const std::filesystem::path& data,
                              const std::filesystem::path& out, bool drop_bad_rows, bool probabilities) {
  Dataset dataset = load_for_model(meta, data, drop_bad_rows, false);
  Matrix outputs = predict(dataset.features);
  std::string text = "line";
  const bool classification = meta.task == Task::kClassification;
  if (classification) {
    text += ",class,confidence";
    if (probabilities && outputs.cols() > 1) {
      for (const std::string& name : meta.class_names) text += "," + csv_field("p_" + name);
    }
  } else {
    text += ",value";
  }
  text += "\n";
  std::vector<int> classes;
  std::vector<float> confidences;
  if (classification) argmax_rows(outputs, &classes, &confidences);
  for (size_t i = 0; i < dataset.size(); ++i) {
    const Eigen::Index row = static_cast<Eigen::Index>(i);
    text += std::to_string(dataset.line_numbers[i]);
    if (classification) {
      text += "," + csv_field(meta.class_names[static_cast<size_t>(classes[i])]) + "," + format_float(confidences[i]);
      if (probabilities && outputs.cols() > 1) {
        for (Eigen::Index j = 0; j < outputs.cols(); ++j) text += "," + format_float(outputs(row, j));
      }
    } else {
      text += "," + format_float(outputs(row, 0));
    }
    text += "\n";
  }
  write_file_atomic(out, text);
  return {dataset.size(), dataset.dropped_rows};
}

nlohmann::ordered_json describe_model(Model& model) {
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (size_t i = 0; i < model.num_layers(); ++i) {
    Layer& layer = model.layer(i);
    int64_t params = 0;
    for (Param* p : layer.params()) params += p->trainable ? p->value.size() : 0;
    layers.push_back({{"index", i},
                      {"kind", layer_kind_name(layer.kind())},
                      {"config", layer.config()},
                      {"output_shape", layer.output_shape().dims},
                      {"params", params},
                      {"macs", layer.macs()}});
  }
  const ModelMetadata& meta = model.metadata;
  return {{"task", task_name(meta.task)},
          {"input_shape", model.input_shape().dims},
          {"output_shape", model.output_shape().dims},
          {"features", meta.feature_names.size()},
          {"label", meta.label_name},
          {"classes", meta.class_names},
          {"normalization", normalization_name(meta.normalization.kind)},
          {"window", {{"size", meta.window.window}, {"stride", meta.window.stride}}},
          {"layers", layers},
          {"params", model.trainable_parameter_count()},
          {"parameters", model.parameter_count()},
          {"weight_bytes", model.parameter_count() * 4},
          {"macs", model.macs()},
          {"provenance", meta.provenance}};
}

}  // namespace tinymlops
