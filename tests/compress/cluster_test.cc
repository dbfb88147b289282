// cluster.h: 1-D k-means, clustering with centroid fine-tuning, and the int8
// codebook deployment of clustered layers.
#include "tinymlops/compress/cluster.h"

#include <gtest/gtest.h>

#include <set>

#include "../runtime/model_fixtures.h"
#include "tinymlops/compress/ptq.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops {
namespace {

TEST(Kmeans, FindsWellSeparatedGroupsExactly) {
  const std::vector<float> values = {1.0f, 1.2f, 0.8f, 5.0f, 5.5f, 4.5f, -3.0f};
  Clustering c = kmeans_1d(values, 3);
  ASSERT_EQ(c.centroids.size(), 3u);
  EXPECT_FLOAT_EQ(c.centroids[0], -3.0f);
  EXPECT_NEAR(c.centroids[1], 1.0f, 1e-6);
  EXPECT_NEAR(c.centroids[2], 5.0f, 1e-6);
  EXPECT_EQ(c.assignment, (std::vector<int>{1, 1, 1, 2, 2, 2, 0}));
}

TEST(Kmeans, FewerDistinctValuesThanClusters) {
  Clustering c = kmeans_1d({2.0f, 2.0f, 7.0f}, 16);
  EXPECT_EQ(c.centroids, (std::vector<float>{2.0f, 7.0f}));
}

TEST(AutoCloud, SeparatedGroupsBecomeTheirOwnClouds) {
  std::vector<float> values;
  Rng rng(4);
  for (int i = 0; i < 300; ++i) {
    const float center = i % 3 == 0 ? -10.0f : (i % 3 == 1 ? 0.0f : 10.0f);
    values.push_back(center + 0.3f * rng.normal());
  }
  Clustering c = autocloud_1d(values, 1.414, 16);
  ASSERT_GE(c.centroids.size(), 3u);
  // Every value's cloud is on its own group's side.
  for (size_t i = 0; i < values.size(); ++i) {
    const float centroid = c.centroids[static_cast<size_t>(c.assignment[i])];
    EXPECT_LT(std::abs(centroid - values[i]), 3.0f) << i;
  }
  EXPECT_LE(autocloud_1d(values, 1.414, 3).centroids.size(), 3u);
  // A larger m makes fewer, wider clouds.
  EXPECT_LE(autocloud_1d(values, 4.0, 16).centroids.size(), c.centroids.size());
  EXPECT_EQ(autocloud_1d(values, 1.414, 16).centroids, c.centroids);  // deterministic
}

std::set<float> distinct(const Param& p) { return std::set<float>(p.value.begin(), p.value.end()); }

TEST(Cluster, EveryLayerHoldsAtMostKValuesAfterFineTuning) {
  Model model = testing::random_model(Shape{{6}}, "dense:8:relu,dense:3,softmax", 3);
  Dataset data;
  data.task = Task::kClassification;
  data.class_names = model.metadata.class_names;
  data.features = testing::random_inputs(60, 6, 4);
  for (int i = 0; i < 60; ++i) data.classes.push_back(i % 3);
  ClusterOptions options;
  options.clusters = 4;
  options.fine_tune.epochs = 3;
  options.fine_tune.learning_rate = 0.01f;
  cluster_model(model, options, data, nullptr);
  EXPECT_LE(distinct(*model.layer(0).params()[0]).size(), 4u);
  EXPECT_LE(distinct(*model.layer(2).params()[0]).size(), 4u);
  EXPECT_GT(distinct(*model.layer(0).params()[1]).size(), 4u);  // biases are not clustered
  options.clusters = 17;
  EXPECT_THROW(cluster_model(model, options, data, nullptr), Error);
}

// A clustered dense layer deploys as 4-bit indices + a codebook and computes
// exactly what the same weights quantized per tensor compute.
TEST(Cluster, CodebookDeploymentEqualsPerTensorInt8) {
  Model model = testing::random_model(Shape{{6}}, "dense:8:relu,dense:6,softmax", 3);
  ClusterOptions options;
  options.clusters = 16;
  options.fine_tune.epochs = 0;
  cluster_model(model, options, Dataset{}, nullptr);
  DeployModel reference = lower_model(model);
  const Matrix rows = testing::random_inputs(50, 6, 8);
  DeployModel clustered = quantize_int8(reference, rows, {});
  const DeployOp& fc = clustered.ops[1];
  ASSERT_EQ(fc.inputs.size(), 4u);
  EXPECT_EQ(clustered.tensors[static_cast<size_t>(fc.inputs[1])].dtype, DType::kIndex4);
  EXPECT_EQ(clustered.tensors[static_cast<size_t>(fc.inputs[1])].data.size(), 8u * 6 / 2);
  EXPECT_EQ(clustered.metadata.provenance["quantization"]["clustered_layers"], 2);
  // A layer of 32 weights or fewer is smaller as plain int8 and stays so.
  Model tiny = testing::random_model(Shape{{6}}, "dense:8:relu,dense:3,softmax", 3);
  cluster_model(tiny, options, Dataset{}, nullptr);
  EXPECT_EQ(quantize_int8(lower_model(tiny), rows, {}).metadata.provenance["quantization"]["clustered_layers"], 1);
  DeployModel per_tensor = quantize_int8(reference, rows, {Calibration::kMinMax, false});
  // The same model with each codebook expanded back into plain int8 weights.
  DeployModel expanded = clustered;
  for (DeployOp& op : expanded.ops) {
    if (op.inputs.size() != 4) continue;
    DeployTensor& w = expanded.tensors[static_cast<size_t>(op.inputs[1])];
    const std::vector<int8_t> indices = tensor_int8(w);
    const std::vector<int8_t> codebook = tensor_int8(expanded.tensors[static_cast<size_t>(op.inputs[3])]);
    std::vector<int8_t> weights;
    for (int8_t k : indices) weights.push_back(codebook[static_cast<size_t>(k)]);
    w.dtype = DType::kInt8;
    w.data = bytes_of(weights);
    op.inputs.pop_back();
  }
  expanded.validate("expanded");
  EXPECT_EQ(ReferenceEngine(clustered).predict(rows), ReferenceEngine(expanded).predict(rows));
  EXPECT_EQ(ReferenceEngine(clustered).predict(rows), ReferenceEngine(per_tensor).predict(rows));
}

}  // namespace
}  // namespace tinymlops
