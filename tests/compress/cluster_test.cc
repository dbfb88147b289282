// cluster.h: 1-D k-means, AutoCloud, mean-shift and DBSTREAM, clustering with
// centroid fine-tuning or cluster-aware training, bias clustering, and the int8
// codebook deployment of clustered layers.
#include "tinymlops/compress/cluster.h"

#include <gtest/gtest.h>

#include <cstdio>

#include <cmath>
#include <set>

#include "../runtime/model_fixtures.h"
#include "digits_fixture.h"
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

// AutoCloud's merge rule reads the values in storage order and merges clouds
// that share most of their values: fewer clouds than the sorted stream, and a
// distant group streamed after the first is never blurred into it.
TEST(AutoCloud, MergingOverlappingCloudsInStreamOrder) {
  std::vector<float> values;
  Rng rng(4);
  for (int i = 0; i < 200; ++i) values.push_back((i < 100 ? -10.0f : 10.0f) + 0.3f * rng.normal());
  const Clustering plain = autocloud_1d(values, 1.414, 1000);
  const Clustering merged = autocloud_1d(values, 1.414, 1000, true);
  EXPECT_LT(merged.centroids.size(), plain.centroids.size());
  ASSERT_GE(merged.centroids.size(), 2u);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_LT(std::abs(merged.centroids[static_cast<size_t>(merged.assignment[i])] - values[i]), 3.0f) << i;
  }
  EXPECT_EQ(autocloud_1d(values, 1.414, 1000, true).centroids, merged.centroids);  // deterministic
}

// Three groups of 100 values around -10, 0 and 10 (sd 0.3), interleaved.
std::vector<float> three_groups() {
  std::vector<float> values;
  Rng rng(4);
  for (int i = 0; i < 300; ++i) {
    const float center = i % 3 == 0 ? -10.0f : (i % 3 == 1 ? 0.0f : 10.0f);
    values.push_back(center + 0.3f * rng.normal());
  }
  return values;
}

// Expects exactly the three groups: centroids within `tolerance` of -10, 0, 10
// and every value in its own group's cluster.
void expect_three_groups(const std::vector<float>& values, const Clustering& c, float tolerance) {
  ASSERT_EQ(c.centroids.size(), 3u);
  ASSERT_EQ(c.assignment.size(), values.size());
  for (size_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(c.centroids[j], -10.0f + 10.0f * static_cast<float>(j), tolerance);
  }
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(c.assignment[i], static_cast<int>(i % 3)) << i;
}

// A wide, unimodal-ish spread of values (normal, sd 1) for parameter sweeps.
std::vector<float> normal_values(int n, uint64_t seed) {
  std::vector<float> values;
  Rng rng(seed);
  for (int i = 0; i < n; ++i) values.push_back(rng.normal());
  return values;
}

TEST(DefaultBandwidth, IsSilvermansRule) {
  // sd 1.5811, IQR 2 (quartiles 2 and 4): 0.9 * (2 / 1.34) * 5^(-1/5).
  EXPECT_NEAR(default_bandwidth({1, 2, 3, 4, 5}), 0.9 * (2 / 1.34) * std::pow(5.0, -0.2), 1e-9);
  // IQR 0 (most values equal): the sd alone.
  const std::vector<float> spiky = {0, 0, 0, 0, 0, 0, 0, 10};
  const double sd = std::sqrt((7 * 1.25 * 1.25 + 8.75 * 8.75) / 7);
  EXPECT_NEAR(default_bandwidth(spiky), 0.9 * sd * std::pow(8.0, -0.2), 1e-6);
  EXPECT_EQ(default_bandwidth({3, 3, 3}), 0.0);
}

TEST(MeanShift, FindsSmallGroupsExactly) {
  // Bin seeds (width 1 from -3): -3, 0.8, 1.1, 4.5, 5.25; they climb to -3, 1, 1, 5, 5.
  const std::vector<float> values = {1.0f, 1.2f, 0.8f, 5.0f, 5.5f, 4.5f, -3.0f};
  Clustering c = meanshift_1d(values, 1.0, 16);
  ASSERT_EQ(c.centroids.size(), 3u);
  EXPECT_FLOAT_EQ(c.centroids[0], -3.0f);
  EXPECT_NEAR(c.centroids[1], 1.0f, 1e-6);
  EXPECT_NEAR(c.centroids[2], 5.0f, 1e-6);
  EXPECT_EQ(c.assignment, (std::vector<int>{1, 1, 1, 2, 2, 2, 0}));
  EXPECT_EQ(meanshift_1d({2.0f, 2.0f, 2.0f}, 0, 16).centroids, std::vector<float>{2.0f});  // bandwidth 0 -> 0
}

TEST(MeanShift, SeparatedGroupsWithTheDefaultBandwidth) {
  const std::vector<float> values = three_groups();
  const Clustering c = meanshift_1d(values, 0, 16);
  expect_three_groups(values, c, 0.1f);
  EXPECT_EQ(meanshift_1d(values, 0, 16).centroids, c.centroids);  // deterministic
  EXPECT_EQ(meanshift_1d(values, 0, 16).assignment, c.assignment);
  EXPECT_EQ(meanshift_1d(values, 0, 2).centroids.size(), 2u);      // max_clusters
  EXPECT_EQ(meanshift_1d(values, 30, 16).centroids.size(), 1u);    // one window holds all
}

TEST(MeanShift, LargerBandwidthGivesFewerClusters) {
  const std::vector<float> values = normal_values(2000, 7);
  size_t previous = values.size();
  for (double bandwidth : {0.02, 0.1, 0.5, 2.0}) {
    const size_t count = meanshift_1d(values, bandwidth, 1000).centroids.size();
    EXPECT_LE(count, previous) << bandwidth;
    previous = count;
  }
  EXPECT_GT(meanshift_1d(values, 0.02, 1000).centroids.size(), meanshift_1d(values, 2.0, 1000).centroids.size());
  EXPECT_LE(meanshift_1d(values, 0.02, 5).centroids.size(), 5u);
}

TEST(Dbstream, SeparatedGroupsWithTheDefaultRadius) {
  const std::vector<float> values = three_groups();
  const Clustering c = dbstream_1d(values, 0, 16);
  // A micro-cluster's centre follows the latest values (Gaussian pull), so it
  // ends near, not at, its group's mean.
  expect_three_groups(values, c, 1.0f);
  EXPECT_EQ(dbstream_1d(values, 0, 16).centroids, c.centroids);  // deterministic
  EXPECT_EQ(dbstream_1d(values, 0, 16).assignment, c.assignment);
  EXPECT_EQ(dbstream_1d(values, 0, 2).centroids.size(), 2u);      // max_clusters
  // Small micro-clusters: several per group, joined by their shared density
  // (at the paper's alpha of 0.1; at 0.3 the groups' tails split off).
  DbstreamTuning paper;
  paper.alpha = 0.1;
  expect_three_groups(values, dbstream_1d(values, 0.3, 16, paper), 1.0f);
  DbstreamTuning strict;
  strict.alpha = 0.3;
  EXPECT_GT(dbstream_1d(values, 0.3, 16, strict).centroids.size(), 3u);
  EXPECT_EQ(dbstream_1d(values, 30, 16).centroids.size(), 1u);    // one micro-cluster holds all
}

TEST(Dbstream, LargerRadiusOrAlphaChangesTheCount) {
  const std::vector<float> values = normal_values(2000, 7);
  size_t previous = values.size();
  for (double radius : {0.05, 0.2, 1.0, 5.0}) {
    const size_t count = dbstream_1d(values, radius, 1000).centroids.size();
    EXPECT_LE(count, previous) << radius;
    previous = count;
  }
  EXPECT_EQ(dbstream_1d(values, 5.0, 1000).centroids.size(), 1u);
  // A stricter connection threshold splits more micro-clusters apart.
  DbstreamTuning strict;
  strict.alpha = 0.9;
  EXPECT_GT(dbstream_1d(values, 0.2, 1000, strict).centroids.size(), dbstream_1d(values, 0.2, 1000).centroids.size());
  EXPECT_LE(dbstream_1d(values, 0.2, 4, strict).centroids.size(), 4u);
}

// Weights fade by 2^-decay per value: 20 early values at 100 stay a cluster
// after 2000 more near 0 at decay 0.001 (weight 20 / 4 >= C_m = 3), and are
// forgotten (removed at a cleanup) at decay 0.005.
TEST(Dbstream, DecayForgetsEarlyValues) {
  std::vector<float> values(20, 100.0f);
  const std::vector<float> later = normal_values(2000, 3);
  values.insert(values.end(), later.begin(), later.end());
  EXPECT_EQ(dbstream_1d(values, 1.0, 16).centroids.back(), 100.0f);
  DbstreamTuning fast;
  fast.decay = 0.005;
  EXPECT_LT(dbstream_1d(values, 1.0, 16, fast).centroids.back(), 10.0f);
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

TEST(Cluster, BadOptionsNameTheirFlag) {
  auto message = [](const ClusterOptions& options) {
    try {
      check_cluster_options(options);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  ClusterOptions options;
  options.method = "meanshift";
  options.bandwidth = -1;
  EXPECT_NE(message(options).find("--bandwidth"), std::string::npos);
  options.bandwidth = std::nan("");
  EXPECT_NE(message(options).find("--bandwidth"), std::string::npos);
  options = {};
  options.radius = -0.5;
  EXPECT_NE(message(options).find("--radius"), std::string::npos);
  options = {};
  options.recluster_every = -1;
  EXPECT_NE(message(options).find("--recluster-every"), std::string::npos);
  options = {};
  options.method = "dbscan";
  EXPECT_NE(message(options).find("meanshift, dbstream"), std::string::npos);
  EXPECT_EQ(message(ClusterOptions{}), "");
}

Dataset three_class_rows(const Model& model) {
  Dataset data;
  data.task = Task::kClassification;
  data.class_names = model.metadata.class_names;
  data.features = testing::random_inputs(60, 6, 4);
  for (int i = 0; i < 60; ++i) data.classes.push_back(i % 3);
  return data;
}

TEST(Cluster, BiasesGetTheirOwnCodebook) {
  Model model = testing::random_model(Shape{{6}}, "dense:12:relu,dense:3,softmax", 3);
  for (Eigen::Index k = 0; k < 12; ++k) model.layer(0).params()[1]->value[k] = 0.05f * static_cast<float>(k);
  for (const std::string method : {"kmeans", "autocloud", "meanshift", "dbstream"}) {
    Model copy = parse_model(serialize_model(model), "copy");
    ClusterOptions options;
    options.method = method;
    options.clusters = 4;
    options.cluster_biases = true;
    options.fine_tune.epochs = 2;
    options.fine_tune.learning_rate = 0.01f;
    cluster_model(copy, options, three_class_rows(copy), nullptr);
    const std::set<float> biases = distinct(*copy.layer(0).params()[1]);
    EXPECT_LE(biases.size(), 4u) << method;
    EXPECT_LE(distinct(*copy.layer(2).params()[1]).size(), 3u) << method;
    EXPECT_LE(distinct(*copy.layer(0).params()[0]).size(), 4u) << method;
    // Its own codebook: bias values in [0, 0.55] are not the weights' centroids.
    for (float b : biases) EXPECT_EQ(distinct(*copy.layer(0).params()[0]).count(b), 0u) << method << " " << b;
  }
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

// The digits MLP (64-32), trained once for the tests below.
const testing::DigitsCase& digits() {
  static const testing::DigitsCase digits = testing::trained_digits_mlp();
  return digits;
}

Model digits_model() {
  Model& model = const_cast<Model&>(digits().model);  // serialize_model takes a non-const Model
  return parse_model(serialize_model(model), "digits");
}

double test_accuracy(Model& model) {
  return classification_metrics(digits().test.classes, model.predict(digits().test.features)).accuracy;
}

ClusterOptions digits_options(const std::string& method) {
  ClusterOptions options;
  options.method = method;
  options.fine_tune.epochs = 5;
  options.fine_tune.learning_rate = 1e-3f;
  return options;
}

size_t max_distinct(Model& model) {
  size_t most = 0;
  for (size_t i = 0; i < model.num_layers(); ++i) {
    if (const Param* p = weights_param(model.layer(i))) most = std::max(most, distinct(*p).size());
  }
  return most;
}

// Mean-shift and DBSTREAM with their default (Silverman) bandwidth / radius
// and 5 epochs of centroid fine-tuning: mean-shift stays within 1.5 points of
// the float model (measured -0.6); DBSTREAM, choosing only 3 to 7 clusters a
// layer, within 4 (measured -3.1).
TEST(ClusterDigits, MeanShiftAndDbstreamStayNearTheFloatModel) {
  const std::vector<std::pair<std::string, double>> bounds = {{"meanshift", 0.015}, {"dbstream", 0.04}};
  for (const auto& [method, points] : bounds) {
    Model model = digits_model();
    cluster_model(model, digits_options(method), digits().train, nullptr);
    EXPECT_LE(max_distinct(model), 16u) << method;
    EXPECT_GE(max_distinct(model), 3u) << method;
    EXPECT_GE(test_accuracy(model), digits().accuracy - points) << method;
  }
}

TEST(ClusterDigits, ReclusteringDuringTrainingChangesTheModelAndKeepsKValues) {
  ClusterOptions options = digits_options("kmeans");
  options.clusters = 4;
  options.cluster_biases = true;
  Model fixed = digits_model();
  cluster_model(fixed, options, digits().train, nullptr);
  options.recluster_every = 20;
  Model reclustered = digits_model();
  cluster_model(reclustered, options, digits().train, nullptr);
  // The same straight-through training without a re-clustering within its steps.
  options.recluster_every = 1'000'000;
  Model never = digits_model();
  cluster_model(never, options, digits().train, nullptr);
  EXPECT_LE(max_distinct(reclustered), 4u);
  EXPECT_LE(distinct(*reclustered.layer(0).params()[1]).size(), 4u);  // biases too
  EXPECT_LE(max_distinct(never), 4u);
  EXPECT_NE(reclustered.layer(0).params()[0]->value, fixed.layer(0).params()[0]->value);
  EXPECT_NE(reclustered.layer(0).params()[0]->value, never.layer(0).params()[0]->value);
  EXPECT_GE(test_accuracy(reclustered), digits().accuracy - 0.03);
}

}  // namespace
}  // namespace tinymlops
