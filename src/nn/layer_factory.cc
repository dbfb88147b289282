// make_layer: rebuilds a layer from its kind and config() JSON, and the padding
// name table.
#include <algorithm>
#include <optional>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

constexpr const char* kPaddingNames[] = {"valid", "same"};

class ConfigReader {
 public:
  ConfigReader(const nlohmann::json& config, const std::string& where)
      : config_(config), where_(where) {
    if (!config_.is_object()) fail("config must be an object");
  }

  int positive_int(const char* key, std::optional<int> fallback = std::nullopt) const {
    if (!config_.contains(key)) return require(fallback, key);
    const auto& value = config_[key];
    if (!value.is_number_integer() || value.get<int64_t>() <= 0) {
      fail(std::string("'") + key + "' must be a positive integer");
    }
    return value.get<int>();
  }

  // An int or a [a, b] pair; an int n means {n, n}.
  std::array<int, 2> pair(const char* key, std::optional<std::array<int, 2>> fallback = std::nullopt) const {
    if (!config_.contains(key)) return require(fallback, key);
    const auto& value = config_[key];
    if (value.is_number_integer() && value.get<int64_t>() > 0) return {value.get<int>(), value.get<int>()};
    if (value.is_array() && value.size() == 2 && value[0].is_number_integer() &&
        value[1].is_number_integer() && value[0].get<int64_t>() > 0 && value[1].get<int64_t>() > 0) {
      return {value[0].get<int>(), value[1].get<int>()};
    }
    fail(std::string("'") + key + "' must be a positive integer or a pair of them");
  }

  float number(const char* key, float fallback) const {
    if (!config_.contains(key)) return fallback;
    if (!config_[key].is_number()) fail(std::string("'") + key + "' must be a number");
    return config_[key].get<float>();
  }

  std::string text(const char* key, std::optional<std::string> fallback = std::nullopt) const {
    if (!config_.contains(key)) return require(fallback, key);
    if (!config_[key].is_string()) fail(std::string("'") + key + "' must be a string");
    return config_[key].get<std::string>();
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw Error(ErrorKind::kParse, where_, message);
  }

 private:
  template <typename T>
  T require(const std::optional<T>& fallback, const char* key) const {
    if (!fallback) fail(std::string("missing '") + key + "'");
    return *fallback;
  }

  const nlohmann::json& config_;
  const std::string& where_;
};

}  // namespace

const char* padding_name(Padding padding) { return kPaddingNames[static_cast<int>(padding)]; }

void axis_geometry(int in, int kernel, int stride, Padding padding, int* out, int* pad_before) {
  if (padding == Padding::kValid) {
    *out = (in - kernel) / stride + 1;
    *pad_before = 0;
    return;
  }
  *out = (in + stride - 1) / stride;
  int pad_total = std::max((*out - 1) * stride + kernel - in, 0);
  *pad_before = pad_total / 2;
}

Padding parse_padding(const std::string& name, const std::string& where) {
  if (name == "valid") return Padding::kValid;
  if (name == "same") return Padding::kSame;
  throw Error(ErrorKind::kParse, where, "unknown padding '" + name + "' (expected valid or same)");
}

std::unique_ptr<Layer> make_layer(LayerKind kind, const nlohmann::json& config, const std::string& where) {
  ConfigReader read(config, where);
  auto padding = [&] { return parse_padding(read.text("padding", "valid"), where); };
  switch (kind) {
    case LayerKind::kDense:
      return std::make_unique<Dense>(read.positive_int("units"));
    case LayerKind::kConv1D: {
      int kernel = read.positive_int("kernel");
      return std::make_unique<Conv1D>(read.positive_int("filters"), kernel,
                                      read.positive_int("stride", 1), padding());
    }
    case LayerKind::kConv2D:
      return std::make_unique<Conv2D>(read.positive_int("filters"), read.pair("kernel"),
                                      read.pair("stride", std::array<int, 2>{1, 1}), padding());
    case LayerKind::kDepthwiseConv2D:
      return std::make_unique<DepthwiseConv2D>(read.pair("kernel"),
                                               read.pair("stride", std::array<int, 2>{1, 1}),
                                               padding(), read.positive_int("multiplier", 1));
    case LayerKind::kMaxPool:
    case LayerKind::kAvgPool: {
      std::array<int, 2> pool = read.pair("pool");
      return std::make_unique<Pool>(kind, pool, read.pair("stride", pool));
    }
    case LayerKind::kGlobalAvgPool: return std::make_unique<GlobalAvgPool>();
    case LayerKind::kFlatten: return std::make_unique<Flatten>();
    case LayerKind::kDropout: {
      float rate = read.number("rate", 0.5f);
      if (!(rate >= 0 && rate < 1)) read.fail("'rate' must be in [0, 1)");
      return std::make_unique<Dropout>(rate);
    }
    case LayerKind::kBatchNorm:
      return std::make_unique<BatchNorm>(read.number("momentum", 0.99f), read.number("epsilon", 1e-3f));
    case LayerKind::kActivation: {
      std::string name = read.text("function");
      ActivationKind function;
      if (!lookup_activation(name, &function)) read.fail("unknown activation '" + name + "'");
      return std::make_unique<Activation>(function, read.number("alpha", -1.0f));
    }
    case LayerKind::kCount: break;
  }
  read.fail("bad layer kind");
}

}  // namespace tinymlops
