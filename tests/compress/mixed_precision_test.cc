// mixed_precision.h: per-layer bits by sensitivity under a byte budget.
#include "tinymlops/compress/mixed_precision.h"

#include <gtest/gtest.h>

#include "../runtime/model_fixtures.h"
#include "tinymlops/core/error.h"
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
