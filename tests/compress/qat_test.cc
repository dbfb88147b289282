// qat.h: fake quantization and quantization-aware fine-tuning; int4 deployment.
#include "tinymlops/compress/qat.h"

#include <gtest/gtest.h>

#include <iostream>
#include <set>

#include "../runtime/model_fixtures.h"
#include "digits_fixture.h"
#include "test_util.h"
#include "tinymlops/compress/ptq.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"
#include "tinymlops/tinymlops.h"

namespace tinymlops {
namespace {

TEST(Qat, FakeQuantizeWeightsPerOutputChannel) {
  // Dense {in 2, units 2}: channel = index % 2.
  Eigen::VectorXf w(4);
  w << 0.7f, -2.0f, -0.2f, 1.1f;  // channel 0: {0.7, -0.2}, max 0.7; channel 1: {-2, 1.1}, max 2
  fake_quantize_weights(w, 2, 4);
  const float s0 = 0.7f / 7, s1 = 2.0f / 7;
  EXPECT_FLOAT_EQ(w[0], 0.7f);
  EXPECT_FLOAT_EQ(w[1], -2.0f);
  EXPECT_FLOAT_EQ(w[2], s0 * std::round(-0.2f / s0));
  EXPECT_FLOAT_EQ(w[3], s1 * std::round(1.1f / s1));
}

// Digits accuracy of a QAT model deployed with the ranges it trained with
// (and, for the record, with ranges calibrated afresh).
struct QatDigits {
  double before = 0, trained_ranges = 0, calibrated_ranges = 0;
  DeployModel deployed;  // with the trained ranges
  Model model;
  Matrix test_rows;
};

QatDigits qat_digits(int bits) {
  testing::DigitsCase digits = testing::trained_digits_mlp();
  QatDigits result;
  result.before = digits.accuracy;
  QatOptions options;
  options.weight_bits = bits;
  options.fine_tune.epochs = 10;
  options.fine_tune.learning_rate = 1e-4f;
  LayerRanges ranges;
  quantization_aware_training(digits.model, options, digits.train, nullptr, &ranges);
  std::vector<size_t> op_layers;
  const DeployModel source = lower_model(digits.model, &op_layers);
  PtqOptions ptq;
  ptq.weight_bits = bits;
  const Matrix calibration = digits.train.features.topRows(500);
  auto accuracy = [&](const DeployModel& q) {
    return classification_metrics(digits.test.classes, ReferenceEngine(q).predict(digits.test.features)).accuracy;
  };
  result.calibrated_ranges = accuracy(quantize_int8(source, calibration, ptq));
  ptq.op_output_ranges = op_ranges(op_layers, ranges);
  result.deployed = quantize_int8(source, calibration, ptq);
  result.trained_ranges = accuracy(result.deployed);
  result.model = std::move(digits.model);
  result.test_rows = digits.test.features;
  std::cout << "[ digits  ] int" << bits << " QAT: float " << result.before << ", trained ranges "
            << result.trained_ranges << ", calibrated ranges " << result.calibrated_ranges << "\n";
  return result;
}

// The acceptance check: int4 QAT loses at most 1 point on digits.
TEST(Qat, Int4DigitsLosesAtMostOnePointAndWeightsHaveFifteenLevels) {
  QatDigits digits = qat_digits(4);
  const Param& w = *digits.model.layer(0).params()[0];  // {64, 64}
  std::set<float> column_values;
  for (int k = 0; k < 64; ++k) column_values.insert(w.value[k * 64 + 5]);
  EXPECT_LE(column_values.size(), 15u);

  const DeployModel& q = digits.deployed;
  EXPECT_EQ(q.variant, "int4");
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.ops[1].inputs[1])].dtype, DType::kInt4);
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.ops[1].inputs[1])].data.size(), 64u * 64 / 2);
  EXPECT_GE(digits.trained_ranges, digits.before - 0.01) << "float " << digits.before << " int4 QAT " << digits.trained_ranges;
  // The int4 file round-trips.
  DeployModel loaded = parse_deploy_model(serialize_deploy_model(q), "q.tdm");
  EXPECT_EQ(ReferenceEngine(loaded).predict(digits.test_rows), ReferenceEngine(q).predict(digits.test_rows));
}

TEST(Qat, Int8DigitsLosesAtMostHalfAPoint) {
  QatDigits digits = qat_digits(8);
  EXPECT_EQ(digits.deployed.variant, "int8");
  EXPECT_GE(digits.trained_ranges, digits.before - 0.005) << "float " << digits.before << " int8 QAT " << digits.trained_ranges;
}

// Deployment keeps the ranges QAT trained with: each op's int8 output
// parameters come from the moving-average range of the last layer lowered into
// it; the input is calibrated.
TEST(Qat, DeployedActivationScalesAreTheTrainedRanges) {
  Model model = testing::random_model(Shape{{5}}, "dense:8,batchnorm,relu,dense:6,tanh,dropout:0.2,dense:3,softmax", 3);
  Dataset train;
  train.task = Task::kClassification;
  train.class_names = model.metadata.class_names;
  train.features = testing::random_inputs(64, 5, 4);
  for (int i = 0; i < 64; ++i) train.classes.push_back(i % 3);
  QatOptions options;
  options.fine_tune.epochs = 2;
  LayerRanges ranges;
  quantization_aware_training(model, options, train, nullptr, &ranges);
  // Tracked: the ReLU (after Dense + BatchNorm), the Dense before tanh, the tanh
  // (not the Dropout after it), the logits; not the folded Dense and
  // BatchNorm, the Dropout or the final softmax.
  ASSERT_EQ(ranges.size(), 8u);
  for (size_t i : {0u, 1u, 5u, 7u}) EXPECT_FALSE(ranges[i].has_value()) << "layer " << i;
  for (size_t i : {2u, 3u, 4u, 6u}) ASSERT_TRUE(ranges[i].has_value()) << "layer " << i;

  std::vector<size_t> op_layers;
  DeployModel source = lower_model(model, &op_layers);
  // fully_connected (+BN+ReLU), fully_connected, tanh, fully_connected, softmax.
  EXPECT_EQ(op_layers, (std::vector<size_t>{2, 3, 4, 6, 7}));
  PtqOptions ptq;
  ptq.op_output_ranges = op_ranges(op_layers, ranges);
  const Matrix calibration = testing::random_inputs(32, 5, 5);
  DeployModel q = quantize_int8(source, calibration, ptq);
  DeployModel calibrated = quantize_int8(source, calibration, {});
  ASSERT_EQ(q.ops.size(), 7u);  // quantize, 4 int8 ops, dequantize, softmax
  for (size_t k = 0; k < 4; ++k) {
    SCOPED_TRACE("ops[" + std::to_string(k) + "]");
    const DeployTensor& y = q.tensors[static_cast<size_t>(q.ops[k + 1].output)];
    float scale = 0;
    int32_t zero_point = 0;
    int8_params(*ranges[op_layers[k]], &scale, &zero_point);
    ASSERT_EQ(y.scales.size(), 1u);
    EXPECT_EQ(y.scales[0], scale);
    EXPECT_EQ(y.zero_point, zero_point);
  }
  const DeployTensor& input = q.tensors[static_cast<size_t>(q.ops[0].output)];
  const DeployTensor& calibrated_input = calibrated.tensors[static_cast<size_t>(calibrated.ops[0].output)];
  EXPECT_EQ(input.scales, calibrated_input.scales);
  EXPECT_EQ(input.zero_point, calibrated_input.zero_point);
  EXPECT_EQ(q.metadata.provenance["quantization"]["fixed_ranges"], 4);

  PtqOptions bad;
  bad.op_output_ranges = {QuantRange{0.5f, 1.0f}};
  EXPECT_THROW(quantize_int8(source, calibration, bad), Error);
}

TEST(Qat, UnsupportedBitsAreUsageErrors) {
  Model model = testing::random_model(Shape{{3}}, "dense:2", 1);
  Dataset none;
  QatOptions options;
  options.weight_bits = 3;
  try {
    quantization_aware_training(model, options, none, nullptr);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_EQ(e.location(), "--bits");
  }
  PtqOptions ptq;
  ptq.weight_bits = 16;
  EXPECT_THROW(quantize_int8(lower_model(model), testing::random_inputs(4, 3, 1), ptq), Error);
}

TEST(Int4, PackingRoundTripsAndConvolutionsTakeInt4) {
  const std::vector<int8_t> values = {-8, 7, 0, -1, 3};
  DeployTensor t;
  t.dtype = DType::kInt4;
  t.shape = {5};
  t.data = packed_int4(values);
  EXPECT_EQ(t.data.size(), 3u);
  EXPECT_EQ(tensor_int8(t), values);

  Model model = testing::random_model(Shape{{6, 6, 1}}, "conv2d:3:3x3,relu,flatten,dense:4", 2);
  PtqOptions ptq;
  ptq.weight_bits = 4;
  DeployModel q = quantize_int8(lower_model(model), testing::random_inputs(16, 36, 1), ptq);
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.ops[1].inputs[1])].dtype, DType::kInt4);  // conv
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.ops[2].inputs[1])].dtype, DType::kInt4);  // dense
  DeployModel broken = q;
  broken.tensors[static_cast<size_t>(broken.ops[1].inputs[1])].data.resize(13);  // 27 weights need 14 bytes
  EXPECT_THROW(broken.validate("q.tdm"), Error);
}

}  // namespace
}  // namespace tinymlops
