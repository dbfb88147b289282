// prune_units (prune.h): structured pruning of Dense units and convolution filters.
//
// The plan is one list per layer: the indices, in the original model, of the
// entries of the layer's output last dimension (units, channels, or flat
// features after Flatten) that survive, in increasing order. A smaller model
// is built from the same configs with fewer units/filters, and every tensor is
// gathered from the original through these lists, so a kept weight keeps its
// exact value.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "tinymlops/compress/prune.h"
#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {

namespace {

constexpr std::array<const char*, static_cast<size_t>(UnitNorm::kCount)> kUnitNormNames = {"l1", "l2"};

std::string layer_name(const Model& model, size_t i) {
  return "layers[" + std::to_string(i) + "] (" + layer_kind_name(model.layer(i).kind()) + ")";
}

std::vector<int> all_indices(int count) {
  std::vector<int> indices(static_cast<size_t>(count));
  std::iota(indices.begin(), indices.end(), 0);
  return indices;
}

bool is_producer(LayerKind kind) {
  return kind == LayerKind::kDense || kind == LayerKind::kConv1D || kind == LayerKind::kConv2D;
}

bool is_softmax(const Layer& layer) {
  return layer.kind() == LayerKind::kActivation &&
         static_cast<const Activation&>(layer).function() == ActivationKind::kSoftmax;
}

// Whether the units/filters of producer layer i may be removed: true when its
// outputs reach another producer (the one that then loses inputs), false when
// they reach the model's output. Throws Error(kInvalid) for a softmax on the way
// to another producer.
bool feeds_a_producer(const Model& model, size_t i) {
  size_t softmax = model.num_layers();
  for (size_t next = i + 1; next < model.num_layers(); ++next) {
    const Layer& layer = model.layer(next);
    if (is_producer(layer.kind())) {
      if (softmax < model.num_layers()) {
        throw Error(ErrorKind::kInvalid, layer_name(model, softmax),
                    "softmax mixes channels: structured pruning cannot shrink " + layer_name(model, i));
      }
      return true;
    }
    if (is_softmax(layer) && softmax == model.num_layers()) softmax = next;
  }
  return false;
}

// The `fraction` (floor, at least one kept) of output units of a Dense/Conv
// layer with the largest norm of incoming weights, in increasing order. The
// weights' last dimension is the unit: value[row * units + unit].
std::vector<int> strongest_units(const Param& weights, double fraction, UnitNorm norm) {
  const int units = weights.shape.back();
  const int64_t rows = weights.value.size() / units;
  std::vector<double> norms(static_cast<size_t>(units), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int u = 0; u < units; ++u) {
      const double w = weights.value[r * units + u];
      norms[static_cast<size_t>(u)] += norm == UnitNorm::kL1 ? std::abs(w) : w * w;
    }
  }
  const int removed = static_cast<int>(std::floor(fraction * units));
  const size_t keep = static_cast<size_t>(std::max(1, units - removed));
  std::vector<int> order = all_indices(units);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return norms[static_cast<size_t>(a)] > norms[static_cast<size_t>(b)]; });
  order.resize(keep);
  std::sort(order.begin(), order.end());
  return order;
}

// Kept flat features of a channels-last tensor of `shape` whose kept channels
// (last dimension) are `channels`: position * C + c, in increasing order.
std::vector<int> flat_features(const Shape& shape, const std::vector<int>& channels) {
  const int channel_count = shape.dims.back();
  const int64_t positions = shape.size() / channel_count;
  std::vector<int> features;
  features.reserve(static_cast<size_t>(positions) * channels.size());
  for (int64_t p = 0; p < positions; ++p) {
    for (int c : channels) features.push_back(static_cast<int>(p * channel_count + c));
  }
  return features;
}

// Output channels of a DepthwiseConv2D with `multiplier` M whose input keeps
// `channels`: c * M + m for every kept c.
std::vector<int> depthwise_outputs(const std::vector<int>& channels, int multiplier) {
  std::vector<int> outputs;
  for (int c : channels) {
    for (int m = 0; m < multiplier; ++m) outputs.push_back(c * multiplier + m);
  }
  return outputs;
}

// kept[i]: the surviving entries of layer i's output last dimension.
std::vector<std::vector<int>> plan_kept(Model& model, double fraction, UnitNorm norm) {
  std::vector<std::vector<int>> kept(model.num_layers());
  std::vector<int> previous = all_indices(model.input_shape().dims.back());
  for (size_t i = 0; i < model.num_layers(); ++i) {
    Layer& layer = model.layer(i);
    switch (layer.kind()) {
      case LayerKind::kDense:
      case LayerKind::kConv1D:
      case LayerKind::kConv2D: {
        const Param& weights = *weights_param(layer);
        kept[i] = feeds_a_producer(model, i) ? strongest_units(weights, fraction, norm)
                                             : all_indices(weights.shape.back());
        break;
      }
      case LayerKind::kDepthwiseConv2D:
        kept[i] = depthwise_outputs(previous, layer.config().at("multiplier").get<int>());
        break;
      case LayerKind::kFlatten:
        kept[i] = flat_features(layer.input_shape(), previous);
        break;
      default:  // per-channel layers: activations, dropout, batch norm, pooling
        kept[i] = previous;
    }
    previous = kept[i];
  }
  return kept;
}

// dst = src[o][mid[m]][inner[n]] for src viewed as {outer, mid_size, inner_size}
// (row-major) and every o. REQUIRES dst of outer * |mid| * |inner| values.
void gather(const Param& src, int64_t mid_size, int64_t inner_size, const std::vector<int>& mid,
            const std::vector<int>& inner, Param& dst) {
  const int64_t outer = src.value.size() / (mid_size * inner_size);
  if (dst.value.size() != outer * static_cast<int64_t>(mid.size() * inner.size())) {
    throw Error(ErrorKind::kInvalid, dst.name, "structured pruning: unexpected tensor size");
  }
  Eigen::Index at = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int m : mid) {
      for (int n : inner) dst.value[at++] = src.value[(o * mid_size + m) * inner_size + n];
    }
  }
}

// Copies layer `from`'s tensors into its shrunk copy `to`, given the kept
// entries of from's input and output last dimension.
void copy_kept(Layer& from, Layer& to, const std::vector<int>& input_kept, const std::vector<int>& output_kept) {
  const std::vector<Param*> sources = from.params(), targets = to.params();
  const int64_t outputs = from.output_shape().dims.back();
  for (size_t p = 0; p < sources.size(); ++p) {
    const Param& src = *sources[p];
    if (src.name != "weights" || from.kind() == LayerKind::kDepthwiseConv2D) {
      // Per-output-channel vectors, and depthwise weights {KH, KW, C, M} seen as
      // {KH * KW, 1, C * M}: only the output channel shrinks.
      gather(src, 1, outputs, {0}, output_kept, *targets[p]);
    } else if (from.kind() == LayerKind::kDense) {
      // {N, units}: N is the flat input, whatever its shape.
      gather(src, src.shape[0], outputs, flat_features(from.input_shape(), input_kept), output_kept, *targets[p]);
    } else {
      // Conv {KH, KW, C, F} or Conv1D {K, C, F}.
      gather(src, src.shape[src.shape.size() - 2], outputs, input_kept, output_kept, *targets[p]);
    }
  }
}

}  // namespace

const char* unit_norm_name(UnitNorm norm) { return kUnitNormNames[static_cast<size_t>(norm)]; }

UnitNorm parse_unit_norm(const std::string& name, const std::string& where) {
  for (size_t i = 0; i < kUnitNormNames.size(); ++i) {
    if (name == kUnitNormNames[i]) return static_cast<UnitNorm>(i);
  }
  throw Error(ErrorKind::kUsage, where, "unknown norm '" + name + "' (l1, l2)");
}

Model prune_units(Model& model, double fraction, UnitNorm norm) {
  if (!(fraction >= 0 && fraction < 1)) {
    throw Error(ErrorKind::kUsage, "--sparsity", "must be in [0, 1), got " + std::to_string(fraction));
  }
  const std::vector<std::vector<int>> kept = plan_kept(model, fraction, norm);
  Model smaller(model.input_shape());
  for (size_t i = 0; i < model.num_layers(); ++i) {
    const LayerKind kind = model.layer(i).kind();
    nlohmann::json config = model.layer(i).config();
    if (kind == LayerKind::kDense) config["units"] = kept[i].size();
    if (kind == LayerKind::kConv1D || kind == LayerKind::kConv2D) config["filters"] = kept[i].size();
    smaller.add(make_layer(kind, config, layer_name(model, i)));
  }
  smaller.build(Initializer::kGlorotUniform, 0);
  std::vector<int> input_kept = all_indices(model.input_shape().dims.back());
  for (size_t i = 0; i < model.num_layers(); ++i) {
    copy_kept(model.layer(i), smaller.layer(i), input_kept, kept[i]);
    input_kept = kept[i];
  }
  smaller.metadata = model.metadata;
  return smaller;
}

}  // namespace tinymlops
