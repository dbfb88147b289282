// Keras Sequential models: the JSON architecture maps layer by layer onto the
// Model's layers (both channels-last), and each layer's variables are read
// from the HDF5 weights in the order Keras saved them.
#include "tinymlops/interop/keras_import.h"

#include <zip.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "interop/hdf5_reader.h"
#include "interop/model_assembly.h"
#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

using nlohmann::json;

// The bytes of one entry of a zip archive.
std::string zip_entry(zip_t* archive, const std::string& name, const std::string& source) {
  zip_stat_t stat;
  if (zip_stat(archive, name.c_str(), 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE)) {
    throw Error(ErrorKind::kFormat, source, "has no '" + name + "' (not a Keras 3 .keras file)");
  }
  zip_file_t* file = zip_fopen(archive, name.c_str(), 0);
  if (!file) throw Error(ErrorKind::kFormat, source, "cannot open '" + name + "' in the archive");
  std::string bytes(static_cast<size_t>(stat.size), '\0');
  const zip_int64_t read = zip_fread(file, bytes.data(), stat.size);
  zip_fclose(file);
  if (read < 0 || static_cast<zip_uint64_t>(read) != stat.size) {
    throw Error(ErrorKind::kFormat, source, "'" + name + "' is damaged in the archive");
  }
  return bytes;
}

struct KerasFile {
  json config;
  std::unique_ptr<interop::Hdf5Reader> weights;
  bool legacy = false;  // Keras 2 .h5: weights under model_weights/<layer>/
};

KerasFile open_keras(const std::filesystem::path& path) {
  const std::string source = path.string();
  KerasFile file;
  std::string config_text;
  if (path.extension() == ".keras") {
    int error = 0;
    zip_t* archive = zip_open(source.c_str(), ZIP_RDONLY, &error);
    if (!archive) {
      if (error == ZIP_ER_NOENT || error == ZIP_ER_OPEN) throw Error(ErrorKind::kIo, source, "cannot open the file");
      throw Error(ErrorKind::kFormat, source, "is not a zip archive (a .keras file is one)");
    }
    try {
      config_text = zip_entry(archive, "config.json", source);
      const std::string weights = zip_entry(archive, "model.weights.h5", source);
      file.weights = std::make_unique<interop::Hdf5Reader>(source, &weights, source + ":model.weights.h5");
    } catch (...) {
      zip_discard(archive);
      throw;
    }
    zip_discard(archive);
  } else {
    if (!std::filesystem::exists(path)) throw Error(ErrorKind::kIo, source, "cannot open the file");
    file.weights = std::make_unique<interop::Hdf5Reader>(source, nullptr, source);
    file.legacy = true;
    auto text = file.weights->string_attribute("/", "model_config");
    if (!text) throw Error(ErrorKind::kFormat, source, "has no 'model_config' attribute (not a Keras model file)");
    config_text = *text;
  }
  try {
    file.config = json::parse(config_text);
  } catch (const json::exception& e) {
    throw Error(ErrorKind::kParse, source, std::string("model config is not JSON: ") + e.what());
  }
  return file;
}

class KerasImporter {
 public:
  KerasImporter(KerasFile file, std::string source) : file_(std::move(file)), source_(std::move(source)) {}

  Model run() {
    const json& root = file_.config;
    const std::string class_name = root.value("class_name", "");
    if (class_name != "Sequential") {
      throw Error(ErrorKind::kUnsupported, source_,
                  "the model is a " + (class_name.empty() ? std::string("non-Sequential") : class_name) +
                      " model; only Sequential models are imported");
    }
    const json& config = root.at("config");
    const json& layers = config.is_array() ? config : config.at("layers");
    read_input_shape(root, layers);
    for (size_t i = 0; i < layers.size(); ++i) import_layer(i, layers[i]);
    Model model = assembly_.finish(Shape{input_dims_}, source_);
    interop::set_default_metadata(model);
    model.metadata.provenance = {{"imported_from", source_},
                                 {"format", file_.legacy ? "keras-h5" : "keras"},
                                 {"keras_version", keras_version()}};
    return model;
  }

 private:
  [[noreturn]] void unsupported(const std::string& where, const std::string& message) const {
    throw Error(ErrorKind::kUnsupported, source_, where + ": " + message);
  }

  std::string keras_version() const {
    if (file_.legacy) return file_.weights->string_attribute("/", "keras_version").value_or("");
    return "";
  }

  void read_input_shape(const json& root, const json& layers) {
    const json* shape = nullptr;
    for (const json& layer : layers) {
      const json& c = layer.at("config");
      for (const char* key : {"batch_shape", "batch_input_shape"}) {
        if (!shape && c.contains(key) && c[key].is_array()) shape = &c[key];
      }
      if (shape) break;
    }
    if (!shape && root.at("config").is_object() && root["config"].contains("build_input_shape")) {
      shape = &root["config"]["build_input_shape"];
    }
    if (!shape && root.contains("build_config") && root["build_config"].contains("input_shape")) {
      shape = &root["build_config"]["input_shape"];
    }
    if (!shape || !shape->is_array() || shape->size() < 2) {
      throw Error(ErrorKind::kUnsupported, source_, "the model records no input shape (build it or add an Input)");
    }
    for (size_t i = 1; i < shape->size(); ++i) {
      if (!(*shape)[i].is_number_integer()) throw Error(ErrorKind::kUnsupported, source_, "the input shape has a free dimension");
      input_dims_.push_back((*shape)[i].get<int>());
    }
    rank_ = static_cast<int>(input_dims_.size());
  }

  // The layer's variables in saving order.
  std::vector<std::vector<float>> variables(const std::string& name, const std::string& where) const {
    std::vector<std::vector<float>> out;
    std::vector<int64_t> dims;
    const interop::Hdf5Reader& h5 = *file_.weights;
    if (file_.legacy) {
      const std::string group = "model_weights/" + name;
      auto names = h5.strings_attribute(group, "weight_names");
      if (!names) {
        if (!h5.exists(group)) throw Error(ErrorKind::kFormat, source_, where + ": no weights group '" + group + "'");
        return out;
      }
      for (const auto& n : *names) out.push_back(h5.read_floats(group + "/" + n, &dims));
      return out;
    }
    for (const std::string prefix : {"layers/", "_layer_checkpoint_dependencies/"}) {
      const std::string group = prefix + name + "/vars";
      if (!h5.exists(group)) continue;
      std::vector<std::string> keys = h5.children(group);
      std::sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;  // "2" before "10"
      });
      for (const auto& k : keys) out.push_back(h5.read_floats(group + "/" + k, &dims));
      return out;
    }
    return out;
  }

  static std::array<int, 2> pair_of(const json& value, int fallback) {
    if (value.is_null()) return {fallback, fallback};
    if (value.is_number_integer()) return {value.get<int>(), value.get<int>()};
    if (value.size() == 1) return {value[0].get<int>(), value[0].get<int>()};
    return {value.at(0).get<int>(), value.at(1).get<int>()};
  }

  // The activation name of a config value: "relu", or a serialized function.
  static std::string activation_of(const json& value) {
    if (value.is_null()) return "linear";
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object() && value.contains("config")) {
      const json& c = value["config"];
      if (c.is_string()) return c.get<std::string>();
      if (c.is_object() && c.contains("name")) return c["name"].get<std::string>();
    }
    return "?";
  }

  void add_activation(const std::string& name, const std::string& where) {
    if (name == "linear") return;
    std::string ours = name == "silu" ? "swish" : name;
    ActivationKind kind;
    if (!lookup_activation(ours, &kind)) unsupported(where, "activation '" + name + "' is not supported");
    if (kind == ActivationKind::kSoftmax && rank_ != 1) unsupported(where, "softmax over a " + std::to_string(rank_) + "-D tensor");
    const float alpha = kind == ActivationKind::kLeakyRelu ? 0.2f : -1.0f;  // keras.activations.leaky_relu
    assembly_.add(std::make_unique<Activation>(kind, alpha), {}, where + " activation");
  }

  void check_common(const json& c, const std::string& where) const {
    if (c.value("data_format", "channels_last") != "channels_last") unsupported(where, "data_format channels_first is not supported");
    if (c.contains("dilation_rate") && pair_of(c["dilation_rate"], 1) != std::array<int, 2>{1, 1}) {
      unsupported(where, "dilation_rate other than 1 is not supported");
    }
    if (c.value("groups", 1) != 1) unsupported(where, "groups other than 1 is not supported");
  }

  Padding conv_padding(const json& c, const std::string& where) const {
    const std::string p = c.value("padding", "valid");
    if (p != "valid" && p != "same") unsupported(where, "padding '" + p + "' is not supported");
    return parse_padding(p, where);
  }

  // Kernel and optional bias, or zeros for the bias when use_bias is false.
  std::vector<std::vector<float>> kernel_and_bias(const json& c, const std::string& name, const std::string& where,
                                                  size_t bias_size) const {
    auto vars = variables(name, where);
    if (!c.value("use_bias", true)) vars.resize(1), vars.push_back(std::vector<float>(bias_size, 0.0f));
    if (vars.size() != 2) {
      throw Error(ErrorKind::kFormat, source_, where + ": expected kernel and bias, found " + std::to_string(vars.size()) + " tensors");
    }
    return vars;
  }

  void import_layer(size_t i, const json& layer) {
    const std::string kind = layer.at("class_name").get<std::string>();
    const json& c = layer.at("config");
    const std::string name = c.value("name", "");
    const std::string where = "layers[" + std::to_string(i) + "] (" + kind + " '" + name + "')";
    if (kind == "InputLayer") return;
    if (kind == "Dense") {
      if (rank_ != 1) unsupported(where, "Dense on a " + std::to_string(rank_) + "-D input acts on the last axis; add Flatten first");
      const int units = c.at("units").get<int>();
      assembly_.add(std::make_unique<Dense>(units), kernel_and_bias(c, name, where, size_t(units)), where);
      return add_activation(activation_of(c.value("activation", json())), where);
    }
    if (kind == "Conv2D" || kind == "Conv1D" || kind == "DepthwiseConv2D") {
      check_common(c, where);
      const Padding padding = conv_padding(c, where);
      const auto kernel = pair_of(c.at("kernel_size"), 1), stride = pair_of(c.value("strides", json(1)), 1);
      std::unique_ptr<Layer> l;
      size_t bias_size = 0;
      if (kind == "Conv2D") {
        const int filters = c.at("filters").get<int>();
        l = std::make_unique<Conv2D>(filters, kernel, stride, padding), bias_size = size_t(filters);
      } else if (kind == "Conv1D") {
        const int filters = c.at("filters").get<int>();
        l = std::make_unique<Conv1D>(filters, kernel[0], stride[0], padding), bias_size = size_t(filters);
      } else {
        const int multiplier = c.value("depth_multiplier", 1);
        if (rank_ != 3) unsupported(where, "needs an image input");
        l = std::make_unique<DepthwiseConv2D>(kernel, stride, padding, multiplier);
        bias_size = size_t(input_channels() * multiplier);
      }
      assembly_.add(std::move(l), kernel_and_bias(c, name, where, bias_size), where);
      channels_ = int(bias_size);
      return add_activation(activation_of(c.value("activation", json())), where);
    }
    if (kind == "MaxPooling2D" || kind == "AveragePooling2D" || kind == "MaxPooling1D" || kind == "AveragePooling1D") {
      check_common(c, where);
      if (c.value("padding", "valid") != "valid") unsupported(where, "only valid padding is supported for pooling");
      const bool one_d = kind.back() == 'D' && kind[kind.size() - 2] == '1';
      auto pool = pair_of(c.value("pool_size", json(2)), 2);
      auto stride = c.contains("strides") && !c["strides"].is_null() ? pair_of(c["strides"], 1) : pool;
      if (one_d) pool[1] = 1, stride[1] = 1;
      const LayerKind k = kind.rfind("Max", 0) == 0 ? LayerKind::kMaxPool : LayerKind::kAvgPool;
      assembly_.add(std::make_unique<Pool>(k, pool, stride), {}, where);
      return;
    }
    if (kind == "GlobalAveragePooling2D" || kind == "GlobalAveragePooling1D") {
      check_common(c, where);
      if (c.value("keepdims", false)) unsupported(where, "keepdims = true is not supported");
      assembly_.add(std::make_unique<GlobalAvgPool>(), {}, where);
      rank_ = 1;
      return;
    }
    if (kind == "Flatten") {
      check_common(c, where);
      assembly_.add(std::make_unique<Flatten>(), {}, where);
      rank_ = 1;
      return;
    }
    if (kind == "Dropout") {
      assembly_.add(std::make_unique<Dropout>(c.value("rate", 0.0f)), {}, where);
      return;
    }
    if (kind == "BatchNormalization") return import_batch_norm(c, name, where);
    if (kind == "Activation") return add_activation(activation_of(c.at("activation")), where);
    if (kind == "ReLU") {
      const json max = c.value("max_value", json());
      const float slope = c.value("negative_slope", 0.0f), threshold = c.value("threshold", 0.0f);
      if (threshold != 0) unsupported(where, "threshold other than 0 is not supported");
      if (slope != 0) {
        if (!max.is_null()) unsupported(where, "negative_slope with max_value is not supported");
        assembly_.add(std::make_unique<Activation>(ActivationKind::kLeakyRelu, slope), {}, where);
        return;
      }
      if (max.is_null()) return add_activation("relu", where);
      if (max.get<float>() == 6.0f) return add_activation("relu6", where);
      unsupported(where, "max_value other than 6 is not supported");
    }
    if (kind == "LeakyReLU") {
      const float alpha = c.contains("negative_slope") ? c["negative_slope"].get<float>() : c.value("alpha", 0.3f);
      assembly_.add(std::make_unique<Activation>(ActivationKind::kLeakyRelu, alpha), {}, where);
      return;
    }
    if (kind == "ELU") {
      assembly_.add(std::make_unique<Activation>(ActivationKind::kElu, c.value("alpha", 1.0f)), {}, where);
      return;
    }
    if (kind == "Softmax") return add_activation("softmax", where);
    unsupported(where, "layer class is not supported (Dense, Conv1D, Conv2D, DepthwiseConv2D, pooling, Flatten, Dropout, "
                       "BatchNormalization and activation layers are)");
  }

  int input_channels() const { return channels_ > 0 ? channels_ : input_dims_.back(); }

  void import_batch_norm(const json& c, const std::string& name, const std::string& where) {
    const json axis = c.value("axis", json(-1));
    const int a = axis.is_array() ? (axis.size() == 1 ? axis[0].get<int>() : -99) : axis.get<int>();
    if (a != -1 && a != rank_) unsupported(where, "only the last axis is normalized here");
    auto vars = variables(name, where);
    const bool scale = c.value("scale", true), center = c.value("center", true);
    if (vars.size() != size_t(2 + scale + center)) {
      throw Error(ErrorKind::kFormat, source_, where + ": expected " + std::to_string(2 + scale + center) +
                                                   " tensors, found " + std::to_string(vars.size()));
    }
    const size_t n = vars.back().size();
    size_t k = 0;
    std::vector<float> gamma = scale ? vars[k++] : std::vector<float>(n, 1.0f);
    std::vector<float> beta = center ? vars[k++] : std::vector<float>(n, 0.0f);
    std::vector<float> mean = vars[k++], var = vars[k++];
    const float momentum = c.value("momentum", 0.99f);
    assembly_.add(std::make_unique<BatchNorm>(momentum >= 0 && momentum < 1 ? momentum : 0.99f, c.value("epsilon", 1e-3f)),
                  {gamma, beta, mean, var}, where);
  }

  KerasFile file_;
  std::string source_;
  std::vector<int> input_dims_;
  int rank_ = 1;
  int channels_ = 0;  // channels of the last convolution's output
  interop::ModelAssembly assembly_;
};

}  // namespace

Model load_keras(const std::filesystem::path& path) {
  KerasFile file = open_keras(path);
  try {
    return KerasImporter(std::move(file), path.string()).run();
  } catch (const json::exception& e) {
    throw Error(ErrorKind::kFormat, path.string(), std::string("unexpected model config: ") + e.what());
  }
}

}  // namespace tinymlops
