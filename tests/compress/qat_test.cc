// qat.h: fake quantization and quantization-aware fine-tuning; int4 deployment.
#include "tinymlops/compress/qat.h"

#include <gtest/gtest.h>

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

// The acceptance check: int4 QAT loses at most 1 point on digits.
TEST(Qat, Int4DigitsLosesAtMostOnePointAndWeightsHaveFifteenLevels) {
  testing::DigitsCase digits = testing::trained_digits_mlp();
  Model& model = digits.model;
  const Dataset& train = digits.train;
  const Dataset& test = digits.test;
  const double before = digits.accuracy;
  QatOptions options;
  options.weight_bits = 4;
  options.fine_tune.epochs = 10;
  options.fine_tune.learning_rate = 1e-4f;
  quantization_aware_training(model, options, train, nullptr);
  const Param& w = *model.layer(0).params()[0];  // {64, 64}
  std::set<float> column_values;
  for (int k = 0; k < 64; ++k) column_values.insert(w.value[k * 64 + 5]);
  EXPECT_LE(column_values.size(), 15u);

  PtqOptions ptq;
  ptq.weight_bits = 4;
  DeployModel q = quantize_int8(lower_model(model), train.features.topRows(500), ptq);
  EXPECT_EQ(q.variant, "int4");
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.ops[1].inputs[1])].dtype, DType::kInt4);
  EXPECT_EQ(q.tensors[static_cast<size_t>(q.ops[1].inputs[1])].data.size(), 64u * 64 / 2);
  const double after = classification_metrics(test.classes, ReferenceEngine(q).predict(test.features)).accuracy;
  EXPECT_GE(after, before - 0.01) << "float " << before << " int4 QAT " << after;
  // The int4 file round-trips.
  DeployModel loaded = parse_deploy_model(serialize_deploy_model(q), "q.tdm");
  EXPECT_EQ(ReferenceEngine(loaded).predict(test.features), ReferenceEngine(q).predict(test.features));
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
