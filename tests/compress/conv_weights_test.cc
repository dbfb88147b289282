// Compressed convolution weights: PTQ --bits 4, clustered (codebook) and
// pruned (sparse8) weights, and weight-only float16 / int8, on a small CNN.
// Each compressed model runs on the reference engine close to the float model
// it came from, with the new weight dtypes and the expected byte sizes.
#include <gtest/gtest.h>

#include "cnn_fixtures.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/engine.h"

namespace tinymlops {
namespace {

using testing::compressed_cnn;
using testing::float_cnn;

const DeployTensor& weights_of(const DeployModel& m, OpKind kind) {
  for (const DeployOp& op : m.ops) {
    if (op.kind == kind) return m.tensors[static_cast<size_t>(op.inputs[1])];
  }
  throw Error(ErrorKind::kInvalid, "test", std::string("no ") + op_kind_name(kind));
}

// Largest difference of the softmax outputs over `rows`.
float max_difference(const DeployModel& a, const DeployModel& b, const Matrix& rows) {
  return (ReferenceEngine(a).predict(rows) - ReferenceEngine(b).predict(rows)).cwiseAbs().maxCoeff();
}

// The same model after a save/load round trip gives the same outputs.
void expect_round_trip(const DeployModel& model, const Matrix& rows) {
  const DeployModel loaded = parse_deploy_model(serialize_deploy_model(model), "cnn.tdm");
  EXPECT_EQ(ReferenceEngine(loaded).predict(rows), ReferenceEngine(model).predict(rows));
}

class ConvWeights : public ::testing::Test {
 protected:
  DeployModel float_model = float_cnn(5);
  Matrix calibration = testing::random_inputs(64, 64, 6);
  Matrix rows = testing::random_inputs(40, 64, 7);
};

TEST_F(ConvWeights, Int4QuantizesConvolutionsToo) {
  const DeployModel int8 = compressed_cnn(float_model, "int8", calibration);
  const DeployModel int4 = compressed_cnn(float_model, "int4", calibration);
  EXPECT_EQ(int4.variant, "int4");
  for (OpKind kind : {OpKind::kConv2D, OpKind::kDepthwiseConv2D, OpKind::kFullyConnected}) {
    EXPECT_EQ(weights_of(int4, kind).dtype, DType::kInt4) << op_kind_name(kind);
    EXPECT_EQ(weights_of(int8, kind).dtype, DType::kInt8) << op_kind_name(kind);
  }
  // 36 + 72 + 720 int8 weight bytes become 18 + 36 + 360.
  EXPECT_EQ(int8.constant_bytes() - int4.constant_bytes(), 18 + 36 + 360);
  // Largest softmax output difference of this random (untrained, confident)
  // CNN: measured 0.0044 for int8 and 0.18 for int4, whose steps are 18x coarser.
  EXPECT_LT(max_difference(int8, float_model, rows), 0.02f);
  EXPECT_LT(max_difference(int4, float_model, rows), 0.3f);
  expect_round_trip(int4, rows);
  // Compressed convolution weights need format version 3; dense int8 stays 1.
  EXPECT_EQ(deploy_format_version(int4), 3u);
  EXPECT_EQ(deploy_format_version(int8), 1u);
}

TEST_F(ConvWeights, MixedPrecisionCanPickAConvolution) {
  PtqOptions options;
  options.op_weight_bits = {4, 8, 0, 8};  // float ops: conv2d, depthwise, max pool, dense, softmax
  const DeployModel mixed = quantize_int8(float_model, calibration, options);
  EXPECT_EQ(mixed.variant, "mixed");
  EXPECT_EQ(weights_of(mixed, OpKind::kConv2D).dtype, DType::kInt4);
  EXPECT_EQ(weights_of(mixed, OpKind::kDepthwiseConv2D).dtype, DType::kInt8);
  EXPECT_EQ(weights_of(mixed, OpKind::kFullyConnected).dtype, DType::kInt8);
}

TEST_F(ConvWeights, ClusteredConvolutionsBecomeCodebooks) {
  DeployModel snapped = float_model;
  testing::snap_weights(snapped);
  const DeployModel int8 = quantize_int8(snapped, calibration, {});
  for (OpKind kind : {OpKind::kConv2D, OpKind::kDepthwiseConv2D, OpKind::kFullyConnected}) {
    EXPECT_EQ(weights_of(int8, kind).dtype, DType::kIndex4) << op_kind_name(kind);
  }
  EXPECT_EQ(int8.metadata.provenance["quantization"]["clustered_layers"], 3);
  // Per tensor: half a byte per weight and a 16-byte codebook, instead of a byte.
  const int64_t dense = compressed_cnn(float_model, "int8", calibration).constant_bytes();
  EXPECT_EQ(dense - int8.constant_bytes(), (18 - 16) + (36 - 16) + (360 - 16));
  // int8 at one scale per tensor instead of per channel: measured 0.021.
  EXPECT_LT(max_difference(int8, snapped, rows), 0.05f);
  expect_round_trip(int8, rows);
}

TEST_F(ConvWeights, PrunedConv2DBecomesSparseDepthwiseStaysDense) {
  DeployModel pruned = float_model;
  testing::prune_weights(pruned, 0.7f);  // ~70% of uniform [-1, 1] weights
  const DeployModel int8 = quantize_int8(pruned, calibration, {});
  const DeployTensor& conv = weights_of(int8, OpKind::kConv2D);
  EXPECT_EQ(conv.dtype, DType::kSparse8);
  EXPECT_EQ(weights_of(int8, OpKind::kDepthwiseConv2D).dtype, DType::kInt8);  // no sparse depthwise kernel
  EXPECT_EQ(weights_of(int8, OpKind::kFullyConnected).dtype, DType::kSparse8);
  int64_t nonzero = 0;
  for (int8_t v : tensor_int8(conv)) nonzero += v != 0;
  EXPECT_EQ(static_cast<int64_t>(conv.data.size()), 36 / 8 + 1 + nonzero);
  EXPECT_LT(static_cast<int64_t>(conv.data.size()), 36);
  EXPECT_LT(max_difference(int8, pruned, rows), 0.03f);  // measured 0.010
  expect_round_trip(int8, rows);
}

TEST_F(ConvWeights, WeightOnlyConvertsConvolutions) {
  const int64_t weights = 36 + 72 + 720;
  for (DType dtype : {DType::kFloat16, DType::kInt8}) {
    const DeployModel compressed = compress_weights_only(float_model, dtype);
    for (OpKind kind : {OpKind::kConv2D, OpKind::kDepthwiseConv2D, OpKind::kFullyConnected}) {
      EXPECT_EQ(weights_of(compressed, kind).dtype, dtype) << op_kind_name(kind);
    }
    // float16: 2 of 4 bytes per weight saved; int8: 3 (scales are not data).
    EXPECT_EQ(float_model.constant_bytes() - compressed.constant_bytes(),
              weights * (dtype == DType::kFloat16 ? 2 : 3));
    // Measured 7.4e-4 (float16: 11-bit significands) and 0.016 (int8).
    EXPECT_LT(max_difference(compressed, float_model, rows), dtype == DType::kFloat16 ? 2e-3f : 4e-2f);
    expect_round_trip(compressed, rows);
    EXPECT_EQ(deploy_format_version(compressed), 3u);
  }
  // One scale per output channel: depthwise channels are the innermost index.
  const DeployModel dynamic = compress_weights_only(float_model, DType::kInt8);
  const DeployTensor& depthwise = weights_of(dynamic, OpKind::kDepthwiseConv2D);
  const std::vector<float> values = tensor_floats(weights_of(float_model, OpKind::kDepthwiseConv2D));
  ASSERT_EQ(depthwise.scales.size(), 8u);
  for (size_t c = 0; c < 8; ++c) {
    float max_abs = 0;
    for (size_t k = c; k < values.size(); k += 8) max_abs = std::max(max_abs, std::abs(values[k]));
    EXPECT_FLOAT_EQ(depthwise.scales[c], max_abs / 127);
  }
}

TEST_F(ConvWeights, ValidateRejectsSparseDepthwise) {
  DeployModel int8 = compressed_cnn(float_model, "int8", calibration);
  for (const DeployOp& op : int8.ops) {
    if (op.kind != OpKind::kDepthwiseConv2D) continue;
    DeployTensor& w = int8.tensors[static_cast<size_t>(op.inputs[1])];
    w.data = sparse_int8(tensor_int8(w));
    w.dtype = DType::kSparse8;
  }
  EXPECT_THROW(int8.validate("test"), Error);
}

}  // namespace
}  // namespace tinymlops
