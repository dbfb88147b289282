// lower.h: the float32 DeployModel computes what the Model computes.
#include "tinymlops/runtime/lower.h"

#include <gtest/gtest.h>

#include "model_fixtures.h"
#include "nn/rounding_bound.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/engine.h"

namespace tinymlops {
namespace {

using testing::random_inputs;
using testing::random_model;

void expect_same_function(const Shape& input, const std::string& layers) {
  SCOPED_TRACE(layers);
  Model model = random_model(input, layers, 7);
  DeployModel deploy = lower_model(model);
  Matrix x = random_inputs(16, input.size(), 3);
  EXPECT_TRUE(testing::within_float_tolerance(model, x, model.predict(x), ReferenceEngine(deploy).predict(x)));
}

TEST(Lower, MlpWithEveryActivation) {
  expect_same_function(Shape{{6}}, "dense:8:relu,dense:8:relu6,dense:8:leaky_relu,dense:8:elu,dense:8:sigmoid,"
                                   "dense:8:tanh,dense:8:softplus,dense:8:swish,dense:4,softmax");
}

TEST(Lower, Conv2DSameAndValidWithStridePoolingAndBatchNorm) {
  expect_same_function(Shape{{8, 8, 2}},
                       "conv2d:4:3x3:padding=same,batchnorm,relu,maxpool:2,conv2d:6:2x2:stride=2,batchnorm,"
                       "avgpool:2,flatten,dropout:0.5,dense:3,softmax");
}

TEST(Lower, DepthwiseWithMultiplierAndGlobalPool) {
  expect_same_function(Shape{{7, 7, 3}},
                       "depthwise_conv2d:3x3:stride=2:padding=same:multiplier=2,relu6,conv2d:4:1x1,global_avgpool,dense:2");
}

TEST(Lower, Conv1DSequences) {
  expect_same_function(Shape{{12, 2}}, "conv1d:4:3:relu,maxpool:2,conv1d:3:2:stride=2:padding=same,avgpool:1,"
                                       "global_avgpool,dense:5,softmax");
}

TEST(Lower, FoldsBatchNormAndFusesReluIntoOneOp) {
  Model model = random_model(Shape{{4}}, "dense:3,batchnorm,relu,dense:2", 1);
  DeployModel deploy = lower_model(model);
  ASSERT_EQ(deploy.ops.size(), 2u);
  EXPECT_EQ(deploy.ops[0].kind, OpKind::kFullyConnected);
  EXPECT_EQ(deploy.ops[0].activation, DeployActivation::kRelu);
  EXPECT_EQ(deploy.tensors[static_cast<size_t>(deploy.ops[0].inputs[1])].shape, (std::vector<int>{3, 4}));
}

TEST(Lower, BatchNormNotAfterAWeightedLayerIsNamed) {
  Model model = random_model(Shape{{4}}, "dense:3,relu,batchnorm,dense:2", 1);
  try {
    lower_model(model);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.location(), "layers[2] (batchnorm)");
  }
}

TEST(Lower, KeepsMetadata) {
  Model model = random_model(Shape{{4}}, "dense:3,softmax", 1);
  model.metadata.provenance = {{"seed", 5}};
  DeployModel deploy = lower_model(model);
  EXPECT_EQ(deploy.metadata.class_names, model.metadata.class_names);
  EXPECT_EQ(deploy.metadata.feature_names, model.metadata.feature_names);
  EXPECT_EQ(deploy.metadata.provenance["seed"], 5);
  EXPECT_EQ(deploy.variant, "float32");
  EXPECT_EQ(deploy.macs(), model.macs());
}

}  // namespace
}  // namespace tinymlops
