#include "tinymlops/fl/update.h"

#include <gtest/gtest.h>

#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops::fl {
namespace {

Model small_mlp() {
  Model model(Shape{{4}});
  model.add(std::make_unique<Dense>(3));
  model.add(std::make_unique<Activation>(ActivationKind::kRelu));
  model.add(std::make_unique<Dense>(2));
  model.build(Initializer::kGlorotUniform, 7);
  return model;
}

TEST(FlUpdate, LayoutCoversEveryTensorInParamsOrder) {
  Model model = small_mlp();
  Layout layout = layout_of(model);
  ASSERT_EQ(layout.size(), 4u);
  EXPECT_EQ(layout[0].name, "layers[0].weights");
  EXPECT_EQ(layout[0].size, 12u);
  EXPECT_EQ(layout[3].name, "layers[2].bias");
  EXPECT_EQ(layout[3].offset, 12u + 3u + 6u);
  EXPECT_EQ(layout_size(layout), 23u);
}

TEST(FlUpdate, FlattenThenAssignRoundTrips) {
  Model a = small_mlp();
  Weights flat = flatten_params(a);
  for (float& v : flat) v += 1;
  assign_params(a, flat);
  EXPECT_EQ(flatten_params(a), flat);
}

TEST(FlUpdate, AssignRejectsTheWrongSizeAndLeavesTheModelAlone) {
  Model a = small_mlp();
  Weights before = flatten_params(a);
  EXPECT_THROW(assign_params(a, Weights(5, 0.f)), Error);
  EXPECT_EQ(flatten_params(a), before);
}

TEST(FlUpdate, L2Norm) { EXPECT_DOUBLE_EQ(l2_norm({3, 4}), 5.0); }

}  // namespace
}  // namespace tinymlops::fl
