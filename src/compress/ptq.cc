#include "tinymlops/compress/ptq.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "tinymlops/core/error.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/quant_math.h"

namespace tinymlops {

namespace {

// int16x8 activation ranges cover this multiple of the calibrated magnitude.
constexpr float kInt16Headroom = 2.0f;

// Values each activation tensor took over the calibration rows (float engine).
std::map<int, std::vector<float>> observe(const DeployModel& model, const Matrix& raw) {
  Matrix rows = raw;
  model.metadata.normalization.apply(rows);
  ReferenceEngine engine(model);
  std::map<int, std::vector<float>> seen;
  for (Eigen::Index r = 0; r < rows.rows(); ++r) {
    engine.run(rows.row(r).data());
    for (const DeployOp& op : model.ops) {
      for (int t : {op.inputs[0], op.output}) {
        std::vector<float> values = engine.tensor_values(t);
        auto& all = seen[t];
        all.insert(all.end(), values.begin(), values.end());
      }
    }
  }
  return seen;
}

// Symmetric int8 weights with per-channel (or one) scale; `channel_of(i)` maps
// a flat index to its output channel.
template <typename ChannelOf>
DeployTensor quantize_weights(const DeployTensor& w, int channels, bool per_channel, int bits, ChannelOf channel_of) {
  const float levels = static_cast<float>((1 << (bits - 1)) - 1);
  const std::vector<float> values = tensor_floats(w);
  std::vector<float> max_abs(static_cast<size_t>(channels), 0.0f);
  for (size_t i = 0; i < values.size(); ++i) {
    float& m = max_abs[static_cast<size_t>(channel_of(i))];
    m = std::max(m, std::abs(values[i]));
  }
  if (!per_channel) {
    const float all = *std::max_element(max_abs.begin(), max_abs.end());
    std::fill(max_abs.begin(), max_abs.end(), all);
  }
  DeployTensor q = w;
  q.dtype = DType::kInt8;
  q.zero_point = 0;
  q.scales.clear();
  for (float m : max_abs) q.scales.push_back(m > 0 ? m / levels : 1.0f);
  const long limit = static_cast<long>(levels);
  std::vector<int8_t> ints(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const float scale = q.scales[static_cast<size_t>(channel_of(i))];
    ints[i] = static_cast<int8_t>(std::clamp(std::lround(values[i] / scale), -limit, limit));
  }
  q.dtype = bits == 4 ? DType::kInt4 : DType::kInt8;
  q.data = bits == 4 ? packed_int4(ints) : bytes_of(ints);
  return q;
}

size_t distinct_values(const DeployTensor& w) {
  std::vector<float> values = tensor_floats(w);
  std::sort(values.begin(), values.end());
  return static_cast<size_t>(std::unique(values.begin(), values.end()) - values.begin());
}

// Weights with at most 16 distinct values: int8 at one scale (max|w| / 127,
// replicated per output channel), stored as 4-bit indices into the sorted
// distinct int8 values (the codebook, padded with zeros to 16 entries).
std::pair<DeployTensor, DeployTensor> codebook_weights(const DeployTensor& w, int channels) {
  const std::vector<float> values = tensor_floats(w);
  float max_abs = 0;
  for (float v : values) max_abs = std::max(max_abs, std::abs(v));
  const float scale = max_abs > 0 ? max_abs / 127.0f : 1.0f;
  std::vector<int8_t> ints(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    ints[i] = static_cast<int8_t>(std::clamp(std::lround(values[i] / scale), -127L, 127L));
  }
  std::vector<int8_t> codebook = ints;
  std::sort(codebook.begin(), codebook.end());
  codebook.erase(std::unique(codebook.begin(), codebook.end()), codebook.end());
  std::vector<int8_t> indices(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    indices[i] = static_cast<int8_t>(std::lower_bound(codebook.begin(), codebook.end(), ints[i]) - codebook.begin());
  }
  codebook.resize(16, 0);
  DeployTensor index_tensor = w;
  index_tensor.dtype = DType::kIndex4;
  index_tensor.zero_point = 0;
  index_tensor.scales.assign(static_cast<size_t>(channels), scale);
  index_tensor.data = packed_int4(indices);
  DeployTensor codebook_tensor;
  codebook_tensor.name = w.name + ".codebook";
  codebook_tensor.dtype = DType::kInt8;
  codebook_tensor.shape = {16};
  codebook_tensor.scales = {scale};
  codebook_tensor.data = bytes_of(codebook);
  return {index_tensor, codebook_tensor};
}

// Bias at scale input_scale * weight_scale[c], zero point 0: int32 (int8 ops),
// or int64 within the kernels' +-2^62 (int16x8 ops).
DeployTensor quantize_bias(const DeployTensor& b, float input_scale, const std::vector<float>& weight_scales,
                           DType dtype = DType::kInt32) {
  const std::vector<float> values = tensor_floats(b);
  const double limit = dtype == DType::kInt64 ? 4611686018427387904.0 : 2147483647.0;  // 2^62, 2^31 - 1
  DeployTensor q = b;
  q.dtype = dtype;
  q.zero_point = 0;
  q.scales.clear();
  std::vector<int64_t> ints(values.size());
  for (size_t c = 0; c < values.size(); ++c) {
    const double scale = static_cast<double>(input_scale) * weight_scales[c];
    q.scales.push_back(static_cast<float>(scale));
    ints[c] = static_cast<int64_t>(std::clamp(std::round(values[c] / scale), -limit, limit));
  }
  if (dtype == DType::kInt64) {
    q.data = bytes_of(ints);
  } else {
    q.data = bytes_of(std::vector<int32_t>(ints.begin(), ints.end()));
  }
  return q;
}

void check_bits(const PtqOptions& options) {
  if (options.weight_bits != 8 && options.weight_bits != 4) {
    throw Error(ErrorKind::kUsage, "--bits", std::to_string(options.weight_bits) + " bits is not supported (supported: 4, 8)");
  }
  for (int bits : options.op_weight_bits) {
    if (bits != 0 && bits != 4 && bits != 8) {
      throw Error(ErrorKind::kUsage, "--bits", std::to_string(bits) + " bits is not supported (supported: 4, 8)");
    }
  }
  if (options.activation_bits != 8 && options.activation_bits != 16) {
    throw Error(ErrorKind::kUsage, "--activations",
                "int" + std::to_string(options.activation_bits) + " activations are not supported (supported: int8, int16)");
  }
  const bool mixed = std::any_of(options.op_weight_bits.begin(), options.op_weight_bits.end(),
                                 [](int bits) { return bits == 4; });
  if (options.activation_bits == 16 && (options.weight_bits != 8 || mixed)) {
    throw Error(ErrorKind::kUsage, "--activations", "int16 activations take int8 weights (int16x8); leave --bits 4 out");
  }
}

// The range options fix for the output of float op `op` (-1: the input), if any.
std::optional<QuantRange> fixed_range(const PtqOptions& options, int op) {
  if (op < 0 || static_cast<size_t>(op) >= options.op_output_ranges.size()) return std::nullopt;
  const std::optional<QuantRange>& range = options.op_output_ranges[static_cast<size_t>(op)];
  if (range && !(range->low <= 0 && range->high >= 0)) {
    throw Error(ErrorKind::kInvalid, "ops[" + std::to_string(op) + "]", "a fixed activation range must contain zero");
  }
  return range;
}

}  // namespace

DeployModel quantize_int8(const DeployModel& model, const Matrix& calibration, const PtqOptions& options) {
  check_bits(options);
  if (model.variant != "float32") {
    throw Error(ErrorKind::kInvalid, "quantize", "the model is already " + model.variant + "; quantize a float32 model");
  }
  if (calibration.rows() == 0) throw Error(ErrorKind::kInvalid, "calibration", "no calibration rows");
  if (calibration.cols() != model.input_size()) {
    throw Error(ErrorKind::kInvalid, "calibration",
                "rows have " + std::to_string(calibration.cols()) + " values, the model takes " +
                    std::to_string(model.input_size()));
  }
  const std::map<int, std::vector<float>> seen = observe(model, calibration);
  const bool int16 = options.activation_bits == 16;
  const DType activation_dtype = int16 ? DType::kInt16 : DType::kInt8;
  int fixed_ranges = 0;
  // `op`: index of the float op whose output `tensor` is (-1: the input).
  auto activation_params = [&](int tensor, int op, DeployTensor* t) {
    const std::optional<QuantRange> fixed = fixed_range(options, op);
    if (fixed) ++fixed_ranges;
    const QuantRange range = fixed ? *fixed : choose_range(seen.at(tensor), options.calibration);
    if (int16) {
      // One bit of headroom: the int8 weights move values past the float
      // model's calibrated range by a few percent (which then saturates), and
      // deployed inputs can exceed what calibration saw; int16 can spare the
      // bit (32767 / 2 levels still resolve 64x finer than int8).
      t->scales.push_back(kInt16Headroom * int16_scale(range));
      t->zero_point = 0;
    } else {
      int8_params(range, &t->scales.emplace_back(), &t->zero_point);
    }
  };

  DeployModel out;
  out.metadata = model.metadata;
  // An int8 input is quantized right after normalization: its offsets and
  // scales in 16 bits lose nothing measurable and halve their flash
  // (round_normalization_to_half).
  if (!int16) round_normalization_to_half(out.metadata.normalization);
  out.input = out.add_tensor(model.tensors[static_cast<size_t>(model.input)]);

  // Quantize the input.
  DeployTensor q_input = model.tensors[static_cast<size_t>(model.input)];
  q_input.name = "input_q";
  q_input.dtype = activation_dtype;
  activation_params(model.input, -1, &q_input);
  int current = out.add_tensor(q_input);
  int clustered_layers = 0, sparse_layers = 0;
  out.ops.push_back({OpKind::kQuantize, {out.input}, current});

  for (size_t i = 0; i < model.ops.size(); ++i) {
    const DeployOp& op = model.ops[i];
    const DeployTensor& y = model.tensors[static_cast<size_t>(op.output)];
    const DeployTensor& x_q = out.tensors[static_cast<size_t>(current)];
    if (op.kind == OpKind::kSoftmax) {
      // Dequantize the logits; softmax stays in float.
      DeployTensor logits = y;
      logits.name = y.name + "_logits";
      const int logits_index = out.add_tensor(logits);
      out.ops.push_back({OpKind::kDequantize, {current}, logits_index});
      DeployOp softmax = op;
      softmax.inputs = {logits_index};
      softmax.output = out.add_tensor(y);
      out.ops.push_back(softmax);
      current = softmax.output;
      if (i + 1 < model.ops.size()) {
        // More ops follow (e.g. a softmax in the body before the output head):
        // they take integer inputs, so quantize the probabilities again, at
        // the range calibration saw.
        DeployTensor probabilities_q = y;
        probabilities_q.name = y.name + "_q";
        probabilities_q.dtype = activation_dtype;
        activation_params(op.output, static_cast<int>(i), &probabilities_q);
        const int quantized = out.add_tensor(std::move(probabilities_q));
        out.ops.push_back({OpKind::kQuantize, {current}, quantized});
        current = quantized;
      }
      continue;
    }
    DeployTensor y_q = y;
    y_q.dtype = activation_dtype;
    DeployOp q_op = op;
    q_op.inputs = {current};
    if (is_pooling(op.kind)) {
      y_q.scales = x_q.scales;  // pooling keeps the input's quantization
      y_q.zero_point = x_q.zero_point;
    } else {
      activation_params(op.output, static_cast<int>(i), &y_q);
    }
    if (op_has_weights(op.kind)) {
      const DeployTensor& w = model.tensors[static_cast<size_t>(op.inputs[1])];
      const DeployTensor& b = model.tensors[static_cast<size_t>(op.inputs[2])];
      const int channels = b.shape[0];
      const int64_t per_filter = w.size() / channels;
      int bits = options.weight_bits;
      if (i < options.op_weight_bits.size() && options.op_weight_bits[i] > 0) bits = options.op_weight_bits[i];
      if (!int16 && bits == 8 && distinct_values(w) <= 16 && w.size() > 32) {
        // Clustered weights: one scale, 4-bit indices into a 16-entry codebook
        // (smaller than int8 once there are more than 32 weights).
        auto [indices, codebook] = codebook_weights(w, channels);
        DeployTensor b_q = quantize_bias(b, x_q.scales[0], indices.scales);
        q_op.inputs.push_back(out.add_tensor(std::move(indices)));
        q_op.inputs.push_back(out.add_tensor(std::move(b_q)));
        q_op.inputs.push_back(out.add_tensor(std::move(codebook)));
        ++clustered_layers;
        q_op.output = out.add_tensor(std::move(y_q));
        out.ops.push_back(q_op);
        current = q_op.output;
        continue;
      }
      DeployTensor w_q = op.kind == OpKind::kDepthwiseConv2D
                             ? quantize_weights(w, channels, options.per_channel, bits,
                                                [&](size_t k) { return static_cast<int>(k % static_cast<size_t>(channels)); })
                             : quantize_weights(w, channels, options.per_channel, bits,
                                                [&](size_t k) { return static_cast<int>(static_cast<int64_t>(k) / per_filter); });
      if (!int16 && op.kind != OpKind::kDepthwiseConv2D && w_q.dtype == DType::kInt8) {
        // Pruned weights: a bitmap of the nonzeros and their values, when
        // smaller (no sparse depthwise kernel: kernels/tml_conv.h).
        std::string sparse = sparse_int8(tensor_int8(w_q));
        if (sparse.size() < w_q.data.size()) {
          w_q.dtype = DType::kSparse8;
          w_q.data = std::move(sparse);
          ++sparse_layers;
        }
      }
      DeployTensor b_q =
          quantize_bias(b, x_q.scales[0], w_q.scales, int16 ? DType::kInt64 : DType::kInt32);
      q_op.inputs.push_back(out.add_tensor(std::move(w_q)));
      q_op.inputs.push_back(out.add_tensor(std::move(b_q)));
    }
    if (op.kind == OpKind::kActivation) q_op.kind = OpKind::kLookup;
    q_op.output = out.add_tensor(std::move(y_q));
    out.ops.push_back(q_op);
    current = q_op.output;
  }
  if (out.tensors[static_cast<size_t>(current)].dtype == activation_dtype) {
    DeployTensor result = model.tensors[static_cast<size_t>(model.output)];
    result.name = "output";
    const int index = out.add_tensor(result);
    out.ops.push_back({OpKind::kDequantize, {current}, index});
    current = index;
  }
  out.output = current;
  bool any4 = false, any8 = false;
  for (const DeployOp& op : out.ops) {
    if (!op_has_weights(op.kind)) continue;
    const bool int4 = out.tensors[static_cast<size_t>(op.inputs[1])].dtype == DType::kInt4;
    any4 |= int4;
    any8 |= !int4;
  }
  out.variant = int16 ? "int16x8" : (any4 && any8 ? "mixed" : (any4 ? "int4" : "int8"));
  out.metadata.provenance["quantization"] = {{"method", "ptq"},
                                    {"bits", options.weight_bits},
                                    {"activations", int16 ? "int16" : "int8"},
                                    {"calibration", calibration_name(options.calibration)},
                                    {"per_channel", options.per_channel},
                                    {"calibration_rows", calibration.rows()},
                                    {"clustered_layers", clustered_layers},
                                    {"sparse_layers", sparse_layers}};
  if (fixed_ranges > 0) out.metadata.provenance["quantization"]["fixed_ranges"] = fixed_ranges;
  out.validate("quantize");
  return out;
}

std::vector<LayerError> layer_errors(const DeployModel& reference, const DeployModel& quantized, const Matrix& raw) {
  // Match each float op's output with the int8 tensor of the same name.
  std::map<std::string, int> by_name;
  for (size_t t = 0; t < quantized.tensors.size(); ++t) by_name[quantized.tensors[t].name] = static_cast<int>(t);
  Matrix rows = raw;
  reference.metadata.normalization.apply(rows);
  ReferenceEngine a(reference), b(quantized);
  std::vector<double> signal(reference.ops.size(), 0.0), noise(reference.ops.size(), 0.0);
  for (Eigen::Index r = 0; r < rows.rows(); ++r) {
    a.run(rows.row(r).data());
    b.run(rows.row(r).data());
    for (size_t i = 0; i < reference.ops.size(); ++i) {
      const DeployTensor& y = reference.tensors[static_cast<size_t>(reference.ops[i].output)];
      auto match = by_name.find(y.name);
      if (match == by_name.end()) continue;
      const std::vector<float> x = a.tensor_values(reference.ops[i].output);
      const std::vector<float> x_hat = b.tensor_values(match->second);
      for (size_t k = 0; k < x.size(); ++k) {
        signal[i] += static_cast<double>(x[k]) * x[k];
        noise[i] += (static_cast<double>(x[k]) - x_hat[k]) * (static_cast<double>(x[k]) - x_hat[k]);
      }
    }
  }
  std::vector<LayerError> errors;
  for (size_t i = 0; i < reference.ops.size(); ++i) {
    const double sqnr = noise[i] > 0 ? 10 * std::log10(signal[i] / noise[i]) : std::numeric_limits<double>::infinity();
    errors.push_back({"ops[" + std::to_string(i) + "] (" + op_kind_name(reference.ops[i].kind) + ")", sqnr});
  }
  return errors;
}

}  // namespace tinymlops
