#include "tinymlops/nn/layer_spec.h"

#include <charconv>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    std::string part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t first = part.find_first_not_of(" \t");
    size_t last = part.find_last_not_of(" \t");
    parts.push_back(first == std::string::npos ? "" : part.substr(first, last - first + 1));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

class ItemParser {
 public:
  explicit ItemParser(const std::string& item) : item_(item) {}

  [[noreturn]] void fail(const std::string& message) const {
    throw Error(ErrorKind::kParse, "--layers", "'" + item_ + "': " + message);
  }

  int positive_int(const std::string& text) const {
    int value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0) {
      fail("'" + text + "' is not a positive integer");
    }
    return value;
  }

  // "3" -> 3 (or [3, 3] when pair), "3x5" -> [3, 5].
  nlohmann::json size(const std::string& text, bool pair) const {
    size_t x = text.find('x');
    if (x == std::string::npos) return pair ? nlohmann::json{positive_int(text), positive_int(text)} : nlohmann::json(positive_int(text));
    if (!pair) fail("'" + text + "' must be a single size here");
    return {positive_int(text.substr(0, x)), positive_int(text.substr(x + 1))};
  }

  float number(const std::string& text) const {
    float value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) fail("'" + text + "' is not a number");
    return value;
  }

 private:
  const std::string& item_;
};

// The positional argument names of each layer kind, in order.
std::vector<const char*> positional_keys(LayerKind kind) {
  switch (kind) {
    case LayerKind::kDense: return {"units"};
    case LayerKind::kConv1D:
    case LayerKind::kConv2D: return {"filters", "kernel"};
    case LayerKind::kDepthwiseConv2D: return {"kernel"};
    case LayerKind::kMaxPool:
    case LayerKind::kAvgPool: return {"pool"};
    case LayerKind::kDropout: return {"rate"};
    case LayerKind::kActivation: return {"function"};
    default: return {};
  }
}

void set_value(const ItemParser& parser, LayerKind kind, const std::string& key, const std::string& value,
               nlohmann::json& config) {
  const bool two_d = kind == LayerKind::kConv2D || kind == LayerKind::kDepthwiseConv2D ||
                     kind == LayerKind::kMaxPool || kind == LayerKind::kAvgPool;
  if (key == "units" || key == "filters" || key == "multiplier") {
    config[key] = parser.positive_int(value);
  } else if (key == "kernel" || key == "stride" || key == "pool") {
    config[key] = parser.size(value, two_d);
  } else if (key == "rate" || key == "momentum" || key == "epsilon" || key == "alpha") {
    config[key] = parser.number(value);
  } else if (key == "padding" || key == "function") {
    config[key] = value;
  } else {
    parser.fail("unknown key '" + key + "'");
  }
}

}  // namespace

std::vector<LayerSpec> parse_layer_specs(const std::string& text) {
  std::vector<LayerSpec> specs;
  for (const std::string& item : split(text, ',')) {
    ItemParser parser(item);
    if (item.empty()) parser.fail("empty layer (check for a doubled or trailing comma)");
    std::vector<std::string> args = split(item, ':');
    ActivationKind activation;
    LayerKind kind;
    std::vector<std::string> positional;
    if (lookup_activation(args[0], &activation)) {
      kind = LayerKind::kActivation;
      positional.push_back(args[0]);
    } else {
      try {
        kind = parse_layer_kind(args[0], "--layers");
      } catch (const Error& e) {
        parser.fail(e.message());
      }
    }
    nlohmann::json config = nlohmann::json::object();
    std::string trailing_activation;
    for (size_t i = 1; i < args.size(); ++i) {
      size_t eq = args[i].find('=');
      if (eq != std::string::npos) {
        set_value(parser, kind, args[i].substr(0, eq), args[i].substr(eq + 1), config);
      } else if (kind != LayerKind::kActivation && lookup_activation(args[i], &activation)) {
        trailing_activation = args[i];
      } else {
        positional.push_back(args[i]);
      }
    }
    std::vector<const char*> keys = positional_keys(kind);
    if (positional.size() > keys.size()) parser.fail("too many arguments");
    for (size_t i = 0; i < positional.size(); ++i) set_value(parser, kind, keys[i], positional[i], config);
    for (const char* key : keys) {
      if (!config.contains(key) && kind != LayerKind::kDropout) parser.fail(std::string("missing ") + key);
    }
    // Validate now so a bad spec fails before any data is read.
    try {
      make_layer(kind, config, "--layers");
    } catch (const Error& e) {
      parser.fail(e.message());
    }
    specs.push_back({kind, config});
    if (!trailing_activation.empty()) {
      specs.push_back({LayerKind::kActivation, {{"function", trailing_activation}}});
    }
  }
  return specs;
}

std::vector<LayerSpec> hidden_dense_specs(const std::vector<int>& sizes) {
  std::vector<LayerSpec> specs;
  for (int units : sizes) {
    if (units <= 0) throw Error(ErrorKind::kUsage, "--hidden", "layer sizes must be positive");
    specs.push_back({LayerKind::kDense, {{"units", units}}});
    specs.push_back({LayerKind::kActivation, {{"function", "relu"}}});
  }
  return specs;
}

void add_layers(Model& model, const std::vector<LayerSpec>& specs) {
  for (size_t i = 0; i < specs.size(); ++i) {
    model.add(make_layer(specs[i].kind, specs[i].config, "layers[" + std::to_string(i) + "]"));
  }
}

}  // namespace tinymlops
