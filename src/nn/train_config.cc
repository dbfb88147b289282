#include "tinymlops/nn/train_config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>

#include "tinymlops/core/error.h"
#include "tinymlops/core/yaml_place.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {

namespace {

[[noreturn]] void bad_value(const std::string& where, const std::string& value, const std::string& expected) {
  throw Error(ErrorKind::kParse, where, "bad value '" + value + "' (expected " + expected + ")");
}

template <typename T>
T parse_number_as(const std::string& value, const std::string& where, const std::string& expected) {
  T number{};
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc() || ptr != value.data() + value.size()) bad_value(where, value, expected);
  return number;
}

int positive_int(const std::string& value, const std::string& where) {
  int n = parse_number_as<int>(value, where, "a positive integer");
  if (n <= 0) bad_value(where, value, "a positive integer");
  return n;
}

float non_negative(const std::string& value, const std::string& where) {
  float x = parse_number_as<float>(value, where, "a non-negative number");
  if (!(x >= 0)) bad_value(where, value, "a non-negative number");
  return x;
}

double fraction(const std::string& value, const std::string& where) {
  double x = parse_number_as<double>(value, where, "a fraction in [0, 1)");
  if (!(x >= 0 && x < 1)) bad_value(where, value, "a fraction in [0, 1)");
  return x;
}

bool boolean(const std::string& value, const std::string& where) {
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  bad_value(where, value, "true or false");
}

// Runs `parse`, re-throwing a kUsage name error (unknown optimizer, ...) at `where`.
template <typename F>
auto named(const std::string& where, F parse) {
  try {
    return parse();
  } catch (const Error& e) {
    throw Error(ErrorKind::kParse, where, e.message());
  }
}

std::vector<int> int_list(const std::string& value, const std::string& where) {
  std::vector<int> list;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    std::string item = value.substr(start, end - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    list.push_back(positive_int(item, where));
    start = end + 1;
  }
  return list;
}

// YAML scalar or flow sequence as the text a flag would carry ("64,32").
std::string node_text(const YAML::Node& node, const std::string& where) {
  if (node.IsScalar()) return node.Scalar();
  if (node.IsSequence()) {
    std::string text;
    for (const YAML::Node& item : node) {
      if (!item.IsScalar()) throw Error(ErrorKind::kParse, where, "expected a list of plain values");
      text += (text.empty() ? "" : ",") + item.Scalar();
    }
    return text;
  }
  throw Error(ErrorKind::kParse, where, "expected a value or a list");
}

}  // namespace

const std::vector<TrainSetting>& train_settings() {
  static const std::vector<TrainSetting> settings = {
      {"data", "CSV", "training data: CSV with a header row"},
      {"label", "COLUMN", "name of the target column"},
      {"task", "KIND", "classification or regression (default: inferred from the label column)"},
      {"hidden", "N,N", "sizes of the hidden ReLU dense layers (default 64,32)"},
      {"layers", "SPEC", "layer stack, e.g. conv2d:8:3x3:relu,maxpool:2,flatten (replaces --hidden; see docs/training.md)"},
      {"input_shape", "HxWxC", "shape of one sample, e.g. 8x8x1 for images (default: number of features)"},
      {"epochs", "N", "passes over the training data (default 50)"},
      {"batch", "N", "samples per optimizer step (default 32)"},
      {"lr", "X", "learning rate (default 0.001)"},
      {"optimizer", "NAME", "sgd, adam, adamw, adamax or rmsprop (default adam)"},
      {"momentum", "X", "momentum for sgd and rmsprop (default 0)"},
      {"nesterov", "", "Nesterov momentum (sgd)"},
      {"weight_decay", "X", "L2 penalty; decoupled for adamw (default 0, adamw 0.01)"},
      {"schedule", "NAME", "learning-rate schedule: constant, step, cosine or one_cycle"},
      {"step_epochs", "N", "step schedule: epochs between decays (default 10)"},
      {"gamma", "X", "step schedule: decay factor (default 0.5)"},
      {"loss", "NAME", "mse, mae, huber, cross_entropy or bce (default by task)"},
      {"init", "NAME", "weight initializer: glorot_uniform, he_normal, normal, uniform"},
      {"seed", "N", "random seed: same seed, data and settings give the same model bytes (default 0)"},
      {"validation_split", "F", "fraction of rows held out for validation (default 0.1)"},
      {"test_split", "F", "fraction of rows held out for the final test (default 0.2)"},
      {"patience", "N", "early stopping: epochs without improvement (default 0 = off)"},
      {"monitor", "NAME", "early stopping watches val_loss (default) or val_metric"},
      {"class_weights", "W", "'balanced' or one weight per class, e.g. 1,3"},
      {"clip_norm", "X", "clip the gradient's global L2 norm to X (default off)"},
      {"normalize", "KIND", "standard, minmax or none (default standard)"},
      {"drop_bad_rows", "", "drop rows with empty/NaN/Inf cells instead of failing"},
      {"window", "N", "time series: one sample is N consecutive rows; the split is then in time order (default off)"},
      {"stride", "N", "time series: rows between window starts (default 1)"},
      {"teacher", "MODEL", "distill from this trained model (.tmlm) on the same columns"},
      {"temperature", "X", "distillation: softmax temperature (default 4)"},
      {"alpha", "X", "distillation: weight of the label loss, 1 - alpha on the teacher (default 0.1)"},
      {"out", "FILE", "where to write the model (.tmlm)"},
      {"history", "CSV", "also write the per-epoch losses and validation metric to this CSV (for plots)"},
  };
  return settings;
}

void set_train_setting(TrainConfig& c, const std::string& key, const std::string& value,
                       const std::string& where) {
  TrainOptions& o = c.options;
  if (key == "data") c.data = value;
  else if (key == "label") c.label = value;
  else if (key == "task") c.task = named(where, [&] { return parse_task(value); });
  else if (key == "hidden") c.hidden = int_list(value, where);
  else if (key == "layers") c.layers = value;
  else if (key == "input_shape") c.input_shape = value;
  else if (key == "epochs") o.epochs = positive_int(value, where);
  else if (key == "batch") o.batch_size = positive_int(value, where);
  else if (key == "lr") o.learning_rate = non_negative(value, where);
  else if (key == "optimizer") o.optimizer.kind = named(where, [&] { return parse_optimizer(value); });
  else if (key == "momentum") o.optimizer.momentum = non_negative(value, where);
  else if (key == "nesterov") o.optimizer.nesterov = boolean(value, where);
  else if (key == "weight_decay") o.optimizer.weight_decay = non_negative(value, where);
  else if (key == "schedule") o.schedule.kind = named(where, [&] { return parse_schedule(value); });
  else if (key == "step_epochs") o.schedule.step_epochs = positive_int(value, where);
  else if (key == "gamma") o.schedule.gamma = non_negative(value, where);
  else if (key == "loss") c.loss = named(where, [&] { return parse_loss(value); });
  else if (key == "init") c.init = named(where, [&] { return parse_initializer(value); });
  else if (key == "seed") o.seed = parse_number_as<uint64_t>(value, where, "a non-negative integer");
  else if (key == "validation_split") c.validation_split = fraction(value, where);
  else if (key == "test_split") c.test_split = fraction(value, where);
  else if (key == "patience") o.early_stopping.patience = parse_number_as<int>(value, where, "an integer");
  else if (key == "monitor") {
    if (value == "val_loss") o.early_stopping.monitor = Monitor::kValidationLoss;
    else if (value == "val_metric") o.early_stopping.monitor = Monitor::kValidationMetric;
    else bad_value(where, value, "val_loss or val_metric");
  } else if (key == "class_weights") c.class_weights = value;
  else if (key == "clip_norm") o.clip_norm = non_negative(value, where);
  else if (key == "normalize") c.normalization = named(where, [&] { return parse_normalization(value); });
  else if (key == "drop_bad_rows") c.drop_bad_rows = boolean(value, where);
  else if (key == "window") c.window.window = positive_int(value, where);
  else if (key == "stride") c.window.stride = positive_int(value, where);
  else if (key == "teacher") c.teacher = value;
  else if (key == "temperature") o.distill.temperature = non_negative(value, where);
  else if (key == "alpha") {
    const double alpha = parse_number_as<double>(value, where, "a number in [0, 1]");
    if (!(alpha >= 0 && alpha <= 1)) bad_value(where, value, "a number in [0, 1]");
    o.distill.alpha = static_cast<float>(alpha);
  }
  else if (key == "out") c.out = value;
  else if (key == "history") c.history = value;
  else {
    std::string known;
    for (const TrainSetting& s : train_settings()) known += std::string(known.empty() ? "" : ", ") + s.key;
    throw Error(ErrorKind::kUsage, where, "unknown setting '" + key + "' (known: " + known + ")");
  }
}

void load_train_config(const std::filesystem::path& path, TrainConfig& config) {
  const std::string text = read_file(path);
  const std::string source = path.string();
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(ErrorKind::kParse, yaml_place(source, e.mark), e.msg);
  }
  if (root.IsNull()) return;
  if (!root.IsMap()) throw Error(ErrorKind::kParse, source, "expected a mapping of settings (key: value)");
  for (const auto& entry : root) {
    const std::string where = yaml_place(source, entry.first.Mark());
    const std::string key = entry.first.Scalar();
    // Relative data, model and history paths are relative to the config file.
    std::string value = node_text(entry.second, where);
    if ((key == "data" || key == "out" || key == "history") && !value.empty() && std::filesystem::path(value).is_relative()) {
      value = (path.parent_path() / value).lexically_normal().string();
    }
    set_train_setting(config, key, value, where);
  }
}

nlohmann::json train_config_to_json(const TrainConfig& c) {
  const TrainOptions& o = c.options;
  nlohmann::json j = {
      {"label", c.label},
      {"hidden", c.hidden},
      {"layers", c.layers},
      {"input_shape", c.input_shape},
      {"epochs", o.epochs},
      {"batch", o.batch_size},
      {"lr", o.learning_rate},
      {"optimizer", optimizer_name(o.optimizer.kind)},
      {"momentum", o.optimizer.momentum},
      {"nesterov", o.optimizer.nesterov},
      {"weight_decay", o.optimizer.weight_decay},
      {"schedule", schedule_name(o.schedule.kind)},
      {"init", initializer_name(c.init)},
      {"seed", o.seed},
      {"validation_split", c.validation_split},
      {"test_split", c.test_split},
      {"patience", o.early_stopping.patience},
      {"class_weights", c.class_weights},
      {"clip_norm", o.clip_norm},
      {"normalize", normalization_name(c.normalization)},
      {"drop_bad_rows", c.drop_bad_rows},
  };
  if (!c.teacher.empty()) {
    j["teacher"] = std::filesystem::path(c.teacher).filename().string();
    j["temperature"] = o.distill.temperature;
    j["alpha"] = o.distill.alpha;
  }
  if (c.window.window > 0) j["window"] = {{"size", c.window.window}, {"stride", c.window.stride}};
  if (c.task) j["task"] = task_name(*c.task);
  if (c.loss) j["loss"] = loss_name(*c.loss);
  return j;
}

}  // namespace tinymlops
