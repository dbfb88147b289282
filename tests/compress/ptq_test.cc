// ptq.h: int8 post-training quantization.
#include "tinymlops/compress/ptq.h"

#include <gtest/gtest.h>

#include <cmath>

#include "../runtime/model_fixtures.h"
#include "digits_fixture.h"
#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"
#include "tinymlops/tinymlops.h"

namespace tinymlops {
namespace {

const DeployTensor& tensor(const DeployModel& m, int index) { return m.tensors[static_cast<size_t>(index)]; }

TEST(Ptq, WeightsPerChannelSymmetricAndBiasAtInputTimesWeightScale) {
  Model model = testing::random_model(Shape{{5}}, "dense:4:relu,dense:3", 2);
  DeployModel reference = lower_model(model);
  Matrix calibration = testing::random_inputs(64, 5, 9);
  DeployModel q = quantize_int8(reference, calibration, {});
  ASSERT_EQ(q.variant, "int8");
  ASSERT_EQ(q.ops.front().kind, OpKind::kQuantize);
  ASSERT_EQ(q.ops.back().kind, OpKind::kDequantize);
  const DeployOp& fc = q.ops[1];
  ASSERT_EQ(fc.kind, OpKind::kFullyConnected);
  const DeployTensor& w = tensor(q, fc.inputs[1]);
  const DeployTensor& b = tensor(q, fc.inputs[2]);
  const std::vector<float> w_float = tensor_floats(tensor(reference, reference.ops[0].inputs[1]));
  const std::vector<float> b_float = tensor_floats(tensor(reference, reference.ops[0].inputs[2]));
  const std::vector<int8_t> w_int = tensor_int8(w);
  const std::vector<int32_t> b_int = tensor_int32(b);
  ASSERT_EQ(w.scales.size(), 4u);
  for (int c = 0; c < 4; ++c) {
    float max_abs = 0;
    for (int i = 0; i < 5; ++i) max_abs = std::max(max_abs, std::abs(w_float[static_cast<size_t>(c * 5 + i)]));
    EXPECT_FLOAT_EQ(w.scales[static_cast<size_t>(c)], max_abs / 127);
    int largest = 0;
    for (int i = 0; i < 5; ++i) {
      const size_t k = static_cast<size_t>(c * 5 + i);
      EXPECT_EQ(w_int[k], static_cast<int8_t>(std::lround(w_float[k] / w.scales[static_cast<size_t>(c)])));
      largest = std::max(largest, std::abs(static_cast<int>(w_int[k])));
    }
    EXPECT_EQ(largest, 127);
    const double bias_scale = static_cast<double>(tensor(q, fc.inputs[0]).scales[0]) * w.scales[static_cast<size_t>(c)];
    EXPECT_EQ(b_int[static_cast<size_t>(c)], static_cast<int32_t>(std::lround(b_float[static_cast<size_t>(c)] / bias_scale)));
  }
}

TEST(Ptq, PerTensorSharesOneScale) {
  Model model = testing::random_model(Shape{{5}}, "dense:4,dense:3", 2);
  DeployModel q = quantize_int8(lower_model(model), testing::random_inputs(32, 5, 1), {Calibration::kMinMax, false});
  const DeployTensor& w = tensor(q, q.ops[1].inputs[1]);
  ASSERT_EQ(w.scales.size(), 4u);
  for (float s : w.scales) EXPECT_EQ(s, w.scales[0]);
}

TEST(Ptq, CnnWithEveryOpStaysCloseToFloat) {
  Model model = testing::random_model(
      Shape{{8, 8, 2}},
      "conv2d:4:3x3:padding=same,batchnorm,relu,depthwise_conv2d:3x3:multiplier=2,sigmoid,maxpool:2,"
      "conv2d:6:2x2:relu6,avgpool:1,global_avgpool,dense:8:tanh,dense:5,softmax",
      4);
  DeployModel reference = lower_model(model);
  Matrix rows = testing::random_inputs(200, 128, 5);
  for (Calibration c : {Calibration::kMinMax, Calibration::kPercentile, Calibration::kMse, Calibration::kKl}) {
    SCOPED_TRACE(calibration_name(c));
    DeployModel q = quantize_int8(reference, rows, {c, true});
    bool has_lookup = false;
    for (const DeployOp& op : q.ops) has_lookup |= op.kind == OpKind::kLookup;
    EXPECT_TRUE(has_lookup);
    for (const LayerError& e : layer_errors(reference, q, rows)) EXPECT_GT(e.sqnr_db, 15.0) << e.op;
    const Matrix expected = ReferenceEngine(reference).predict(rows);
    const Matrix actual = ReferenceEngine(q).predict(rows);
    EXPECT_LT((expected - actual).cwiseAbs().maxCoeff(), 0.1f);
  }
}

TEST(Ptq, DigitsMlpLosesAtMostHalfAPointOfAccuracy) {
  testing::DigitsCase digits = testing::trained_digits_mlp();
  const double before = digits.accuracy;
  DeployModel q = quantize_int8(lower_model(digits.model), digits.train.features.topRows(500), {});
  const double after =
      classification_metrics(digits.test.classes, ReferenceEngine(q).predict(digits.test.features)).accuracy;
  EXPECT_GT(before, 0.95);
  EXPECT_GE(after, before - 0.005) << "float " << before << " int8 " << after;
}

TEST(Ptq, BadInputsAreNamed) {
  Model model = testing::random_model(Shape{{5}}, "dense:3", 2);
  DeployModel reference = lower_model(model);
  try {
    quantize_int8(reference, testing::random_inputs(4, 6, 1), {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("6 values, the model takes 5"), std::string::npos) << e.what();
  }
  EXPECT_THROW(quantize_int8(reference, Matrix(0, 5), {}), Error);
  DeployModel q = quantize_int8(reference, testing::random_inputs(4, 5, 1), {});
  try {
    quantize_int8(q, testing::random_inputs(4, 5, 1), {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("already int8"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tinymlops
