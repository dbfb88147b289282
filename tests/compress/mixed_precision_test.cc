// mixed_precision.h: per-layer bits by sensitivity under a byte budget.
#include "tinymlops/compress/mixed_precision.h"

#include <gtest/gtest.h>

#include <iostream>

#include "../runtime/model_fixtures.h"
#include "digits_fixture.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops {
namespace {

Dataset rows_for(const Model& model, int n) {
  Dataset rows;
  rows.task = Task::kClassification;
  rows.class_names = model.metadata.class_names;
  rows.features = testing::random_inputs(n, model.input_shape().size(), 11);
  for (int i = 0; i < n; ++i) rows.classes.push_back(i % static_cast<int>(rows.class_names.size()));
  return rows;
}

TEST(MixedPrecision, MeetsTheBudgetLeastSensitiveLayersFirst) {
  Model model = testing::random_model(Shape{{20}}, "dense:32:relu,dense:16:relu,dense:4,softmax", 5);
  DeployModel reference = lower_model(model);
  const Dataset rows = rows_for(model, 100);
  PtqOptions all8;
  const int64_t size8 = quantize_int8(reference, rows.features, all8).constant_bytes();
  PtqOptions all4;
  all4.weight_bits = 4;
  const int64_t size4 = quantize_int8(reference, rows.features, all4).constant_bytes();
  ASSERT_LT(size4, size8);

  // Room for everything but the least sensitive layer at int8.
  std::vector<LayerPrecision> choices;
  DeployModel big_budget = mixed_precision(reference, rows, size8 - 1, {}, &choices);
  ASSERT_EQ(choices.size(), 3u);
  EXPECT_LE(big_budget.constant_bytes(), size8 - 1);
  EXPECT_EQ(big_budget.variant, "mixed");
  size_t least = 0;
  for (size_t i = 1; i < choices.size(); ++i) {
    if (choices[i].sensitivity < choices[least].sensitivity) least = i;
  }
  for (size_t i = 0; i < choices.size(); ++i) EXPECT_EQ(choices[i].bits, i == least ? 4 : 8) << choices[i].op;

  DeployModel small_budget = mixed_precision(reference, rows, size4, {}, &choices);
  EXPECT_EQ(small_budget.variant, "int4");
  for (const LayerPrecision& c : choices) EXPECT_EQ(c.bits, 4);
  EXPECT_EQ(mixed_precision(reference, rows, size8, {}, &choices).variant, "int8");
}

// Convolutions are candidates with the one width their kernels offer (int8);
// the dense layers still meet the budget around them.
TEST(MixedPrecision, ConvolutionsAreCandidatesAndTakeInt4UnderATightBudget) {
  Model model = testing::random_model(Shape{{6, 6, 2}}, "conv2d:4:3x3:relu,depthwise_conv2d:3x3,flatten,dense:24:relu,dense:4,softmax", 6);
  DeployModel reference = lower_model(model);
  const Dataset rows = rows_for(model, 60);
  PtqOptions all4;
  all4.weight_bits = 4;
  const int64_t size4 = quantize_int8(reference, rows.features, all4).constant_bytes();
  std::vector<LayerPrecision> choices;
  DeployModel mixed = mixed_precision(reference, rows, size4, {}, &choices);
  EXPECT_LE(mixed.constant_bytes(), size4);
  ASSERT_EQ(choices.size(), 4u);
  EXPECT_EQ(choices[0].op, "ops[0] (conv2d)");
  EXPECT_EQ(choices[1].op, "ops[1] (depthwise_conv2d)");
  for (const LayerPrecision& c : choices) {
    EXPECT_EQ(c.widths, (std::vector<int>{8, 4})) << c.op;
    EXPECT_EQ(c.bits, 4) << c.op;  // only all-int4 fits
  }
  EXPECT_EQ(mixed.tensors[static_cast<size_t>(mixed.ops[1].inputs[1])].dtype, DType::kInt4);  // conv
  EXPECT_EQ(mixed.tensors[static_cast<size_t>(mixed.ops[2].inputs[1])].dtype, DType::kInt4);  // depthwise
}

// int16x8 is a candidate when asked for: chosen when it fits and measures
// closer to float than the int8 mix, never when it does not fit.
TEST(MixedPrecision, Int16x8IsChosenOnlyWhenItFits) {
  Model model = testing::random_model(Shape{{20}}, "dense:32:relu,dense:16:tanh,dense:4,softmax", 5);
  DeployModel reference = lower_model(model);
  const Dataset rows = rows_for(model, 100);
  PtqOptions int16;
  int16.activation_bits = 16;
  const int64_t size16 = quantize_int8(reference, rows.features, int16).constant_bytes();
  const int64_t size8 = quantize_int8(reference, rows.features, {}).constant_bytes();
  ASSERT_GT(size16, size8);  // int64 biases, 1,026-byte tables
  EXPECT_EQ(mixed_precision(reference, rows, size16, int16, nullptr).variant, "int16x8");
  EXPECT_EQ(mixed_precision(reference, rows, size16 - 1, int16, nullptr).variant, "int8");
  EXPECT_EQ(mixed_precision(reference, rows, size16, {}, nullptr).variant, "int8");  // not asked for
}

// On the digits MLP, for a budget that forces some int4, the sensitivity-chosen
// mix is closer to float than the naive ways to meet it: every layer int4, or
// int4 from the first layer on. Dense weights: 4096 / 2048 / 320 bytes at
// int8, so int4 saves 2048 / 1024 / 160.
TEST(MixedPrecision, DigitsChosenMixBeatsNaiveMixesAtTheSameBudget) {
  testing::DigitsCase digits = testing::trained_digits_mlp();
  const DeployModel reference = lower_model(digits.model);
  Dataset calibration = digits.train.subset([] {
    std::vector<size_t> first(500);
    for (size_t i = 0; i < first.size(); ++i) first[i] = i;
    return first;
  }());
  const Matrix float_outputs = ReferenceEngine(reference).predict(digits.test.features);
  auto measure = [&](const DeployModel& q, double* error, double* accuracy) {
    const Matrix outputs = ReferenceEngine(q).predict(digits.test.features);
    *error = (outputs - float_outputs).squaredNorm() / static_cast<double>(outputs.size());
    *accuracy = classification_metrics(digits.test.classes, outputs).accuracy;
  };
  auto with_bits = [&](std::vector<int> bits) {
    PtqOptions options;
    options.op_weight_bits = std::move(bits);
    return quantize_int8(reference, calibration.features, options);
  };
  const int64_t size8 = with_bits({8, 8, 8}).constant_bytes();
  // Room for all int8 but 1,000 bytes: either hidden layer at int4 is enough.
  const int64_t budget = size8 - 1000;
  std::vector<LayerPrecision> choices;
  const DeployModel chosen = mixed_precision(reference, calibration, budget, {}, &choices);
  ASSERT_LE(chosen.constant_bytes(), budget);
  ASSERT_EQ(choices.size(), 3u);
  // The output layer saves too little alone; of the two that fit, the one
  // measured less sensitive goes to int4, the other stays int8.
  const int expected_layer = choices[0].sensitivity <= choices[1].sensitivity ? 0 : 1;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(choices[static_cast<size_t>(i)].bits, i == expected_layer ? 4 : 8) << i;

  double chosen_error = 0, chosen_accuracy = 0, all4_error = 0, all4_accuracy = 0, first_error = 0, first_accuracy = 0;
  measure(chosen, &chosen_error, &chosen_accuracy);
  measure(with_bits({4, 4, 4}), &all4_error, &all4_accuracy);
  measure(with_bits({4, 8, 8}), &first_error, &first_accuracy);
  std::cout << "[ digits  ] budget " << budget << ": chosen " << chosen.constant_bytes() << " B, MSE " << chosen_error
            << ", accuracy " << chosen_accuracy << "; all int4 MSE " << all4_error << ", accuracy " << all4_accuracy
            << "; first layer int4 MSE " << first_error << ", accuracy " << first_accuracy << " (float "
            << digits.accuracy << ")\n";
  EXPECT_LT(chosen_error, all4_error);
  EXPECT_LE(chosen_error, first_error);
  EXPECT_GE(chosen_accuracy, all4_accuracy - 0.003);  // one test row
}

TEST(MixedPrecision, UnreachableBudgetNamesTheSmallestSize) {
  Model model = testing::random_model(Shape{{20}}, "dense:8,dense:4,softmax", 5);
  DeployModel reference = lower_model(model);
  try {
    mixed_precision(reference, rows_for(model, 20), 10, {}, nullptr);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.location(), "--budget");
    EXPECT_NE(std::string(e.what()).find("every dense layer int4) needs"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tinymlops
