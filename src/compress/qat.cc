#include "tinymlops/compress/qat.h"

#include <cmath>

#include "tinymlops/compress/calibration.h"
#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

// Output channels of a weighted layer's weights: the product of the trailing
// dims that index the output (Dense {in, units}: units; Conv {.., C, F}: F;
// Depthwise {KH, KW, C, M}: C * M).
int output_channels(const Layer& layer, const Param& weights) {
  const std::vector<int>& s = weights.shape;
  if (layer.kind() == LayerKind::kDepthwiseConv2D) return s[2] * s[3];
  return s.back();
}

// Layers the lowering drops because at inference they pass their input's
// values on unchanged: Flatten, Dropout, a linear activation.
bool passes_values_on(const Layer& layer) {
  if (layer.kind() == LayerKind::kFlatten || layer.kind() == LayerKind::kDropout) return true;
  return layer.kind() == LayerKind::kActivation && layer.config().at("function").get<std::string>() == "linear";
}

// Whether layer i's output is an int8 tensor after lowering (lower.h): not when
// the next layer folds into it (BatchNorm) or fuses (ReLU/ReLU6 right after a
// weighted layer or its batch norm), not when the layer passes its input on
// (its input was the deployed tensor; fake-quantizing before a Dropout also
// sees the inference-time values), and not the final output.
bool output_is_deployed(Model& model, size_t i) {
  if (passes_values_on(model.layer(i))) return false;
  if (i + 1 == model.num_layers()) return false;
  const Layer& next = model.layer(i + 1);
  if (next.kind() == LayerKind::kBatchNorm) return false;
  const LayerKind kind = model.layer(i).kind();
  if (next.kind() == LayerKind::kActivation && (weights_param(model.layer(i)) || kind == LayerKind::kBatchNorm)) {
    const std::string function = next.config().at("function").get<std::string>();
    if (function == "relu" || function == "relu6") return false;
  }
  return true;
}

}  // namespace

void fake_quantize_weights(Eigen::VectorXf& weights, int channels, int bits) {
  const float levels = static_cast<float>((1 << (bits - 1)) - 1);
  std::vector<float> max_abs(static_cast<size_t>(channels), 0.0f);
  for (Eigen::Index k = 0; k < weights.size(); ++k) {
    float& m = max_abs[static_cast<size_t>(k % channels)];
    m = std::max(m, std::abs(weights[k]));
  }
  for (Eigen::Index k = 0; k < weights.size(); ++k) {
    const float m = max_abs[static_cast<size_t>(k % channels)];
    if (m == 0) continue;
    const float scale = m / levels;
    weights[k] = scale * std::round(weights[k] / scale);
  }
}

TrainHistory quantization_aware_training(Model& model, const QatOptions& options, const Dataset& train,
                                         Progress* progress, LayerRanges* layer_ranges) {
  if (options.weight_bits != 4 && options.weight_bits != 8) {
    throw Error(ErrorKind::kUsage, "--bits",
                std::to_string(options.weight_bits) + " bits is not supported for QAT (supported: 4, 8)");
  }
  struct Target {
    Param* weights;
    int channels;
    Eigen::VectorXf master;
  };
  std::vector<Target> targets;
  for (size_t i = 0; i < model.num_layers(); ++i) {
    if (Param* p = weights_param(model.layer(i))) targets.push_back({p, output_channels(model.layer(i), *p), {}});
  }
  std::vector<bool> deployed(model.num_layers());
  for (size_t i = 0; i < model.num_layers(); ++i) deployed[i] = output_is_deployed(model, i);
  std::vector<QuantRange> ranges(model.num_layers());
  std::vector<bool> seen(model.num_layers(), false);
  constexpr float kMomentum = 0.99f;

  TrainOptions fine_tune = options.fine_tune;
  fine_tune.before_forward = [&] {
    for (Target& t : targets) {
      t.master = t.weights->value;
      fake_quantize_weights(t.weights->value, t.channels, options.weight_bits);
    }
  };
  fine_tune.before_update = [&] {
    for (Target& t : targets) t.weights->value = t.master;
  };
  fine_tune.after_layer = [&](size_t i, Matrix& output) {
    if (!deployed[i] || output.size() == 0) return;
    const float low = std::min(output.minCoeff(), 0.0f), high = std::max(output.maxCoeff(), 0.0f);
    QuantRange& r = ranges[i];
    if (!seen[i]) {
      r = {low, high};
      seen[i] = true;
    } else {
      r.low = kMomentum * r.low + (1 - kMomentum) * low;
      r.high = kMomentum * r.high + (1 - kMomentum) * high;
    }
    float scale = 1;
    int32_t zero_point = 0;
    int8_params(r, &scale, &zero_point);
    for (Eigen::Index k = 0; k < output.size(); ++k) {
      const float q = std::clamp(std::round(output.data()[k] / scale) + static_cast<float>(zero_point), -128.0f, 127.0f);
      output.data()[k] = scale * (q - static_cast<float>(zero_point));
    }
  };
  fine_tune.early_stopping.patience = 0;
  TrainHistory history = train_model(model, train, nullptr, fine_tune, progress);
  for (Target& t : targets) fake_quantize_weights(t.weights->value, t.channels, options.weight_bits);
  if (layer_ranges) {
    layer_ranges->assign(model.num_layers(), std::nullopt);
    for (size_t i = 0; i < model.num_layers(); ++i) {
      if (seen[i]) (*layer_ranges)[i] = ranges[i];
    }
  }
  return history;
}

std::vector<std::optional<QuantRange>> op_ranges(const std::vector<size_t>& op_layers, const LayerRanges& ranges) {
  std::vector<std::optional<QuantRange>> out;
  for (size_t layer : op_layers) out.push_back(layer < ranges.size() ? ranges[layer] : std::nullopt);
  return out;
}

}  // namespace tinymlops
