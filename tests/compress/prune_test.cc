// prune.h: magnitude masks, gradual schedule, fine-tuning, structured removal.
#include "tinymlops/compress/prune.h"

#include <gtest/gtest.h>

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

int64_t zeros(const Param& p) { return (p.value.array() == 0.0f).count(); }

TEST(Prune, GlobalMasksZeroExactlyTheSmallestWeights) {
  Model model = testing::random_model(Shape{{6}}, "dense:5,dense:3", 1);
  Param& a = model.layer(0).params()[0][0];
  Param& b = model.layer(1).params()[0][0];
  const int64_t total = a.value.size() + b.value.size();
  float largest_removed = 0, smallest_kept = 1e9f;
  std::vector<float> before;
  for (Param* p : {&a, &b}) before.insert(before.end(), p->value.begin(), p->value.end());
  apply_masks(magnitude_masks(model, 0.6, true));
  EXPECT_EQ(zeros(a) + zeros(b), static_cast<int64_t>(0.6 * static_cast<double>(total)));
  size_t k = 0;
  for (Param* p : {&a, &b}) {
    for (float v : p->value) {
      const float m = std::abs(before[k++]);
      if (v == 0.0f) largest_removed = std::max(largest_removed, m);
      else smallest_kept = std::min(smallest_kept, m);
    }
  }
  EXPECT_LE(largest_removed, smallest_kept);
}

TEST(Prune, PerLayerMasksHitTheTargetInEveryTensor) {
  Model model = testing::random_model(Shape{{6}}, "dense:5,dense:3", 1);
  apply_masks(magnitude_masks(model, 0.5, false));
  EXPECT_EQ(zeros(*model.layer(0).params()[0]), 15);
  EXPECT_EQ(zeros(*model.layer(1).params()[0]), 7);
  for (const LayerSparsity& s : sparsity_report(model)) EXPECT_EQ(s.zeros, s.weights / 2);
}

TEST(Prune, GradualScheduleIsCubic) {
  EXPECT_DOUBLE_EQ(gradual_sparsity(0.8, 0, 100), 0.0);
  EXPECT_DOUBLE_EQ(gradual_sparsity(0.8, 50, 100), 0.8 * (1 - 0.125));
  EXPECT_DOUBLE_EQ(gradual_sparsity(0.8, 100, 100), 0.8);
  EXPECT_DOUBLE_EQ(gradual_sparsity(0.8, 500, 100), 0.8);
}

TEST(Prune, SparsityOutsideZeroToOneIsAUsageError) {
  Model model = testing::random_model(Shape{{3}}, "dense:2", 1);
  for (double s : {-0.1, 1.0, 1.5}) {
    try {
      magnitude_masks(model, s, true);
      FAIL() << s;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kUsage);
      EXPECT_EQ(e.location(), "--sparsity");
    }
  }
}

// The acceptance check: 50% pruning + int8 loses at most 1 point on digits.
TEST(Prune, DigitsHalfPrunedThenInt8LosesAtMostOnePoint) {
  testing::DigitsCase digits = testing::trained_digits_mlp();
  Model& model = digits.model;
  const Dataset& train = digits.train;
  const Dataset& test = digits.test;
  const double before = digits.accuracy;

  for (bool gradual : {false, true}) {
    SCOPED_TRACE(gradual ? "gradual" : "one shot");
    Model pruned = parse_model(serialize_model(model), "copy");
    PruneOptions prune;
    prune.sparsity = 0.5;
    prune.gradual = gradual;
    prune.fine_tune.epochs = 10;
    prune_model(pruned, prune, train, nullptr, nullptr);
    int64_t all = 0, zero = 0;
    for (const LayerSparsity& s : sparsity_report(pruned)) all += s.weights, zero += s.zeros;
    EXPECT_EQ(zero, all / 2);
    DeployModel q = quantize_int8(lower_model(pruned), train.features.topRows(500), {});
    const double after = classification_metrics(test.classes, ReferenceEngine(q).predict(test.features)).accuracy;
    EXPECT_GE(after, before - 0.01) << "float " << before << " pruned int8 " << after;
  }
}

// Pruned dense layers deploy as a bitmap + nonzero values, computing exactly what
// the same int8 weights stored densely compute.
TEST(Prune, PrunedLayersDeploySparseAndExact) {
  Model model = testing::random_model(Shape{{12}}, "dense:16:relu,dense:4,softmax", 3);
  apply_masks(magnitude_masks(model, 0.7, true));
  DeployModel reference = lower_model(model);
  const Matrix rows = testing::random_inputs(40, 12, 2);
  DeployModel sparse = quantize_int8(reference, rows, {});
  EXPECT_EQ(sparse.metadata.provenance["quantization"]["sparse_layers"], 2);
  DeployModel dense = sparse;
  int64_t dense_bytes = 0, sparse_bytes = 0;
  for (DeployOp& op : dense.ops) {
    if (op.kind != OpKind::kFullyConnected) continue;
    DeployTensor& w = dense.tensors[static_cast<size_t>(op.inputs[1])];
    ASSERT_EQ(w.dtype, DType::kSparse8);
    sparse_bytes += static_cast<int64_t>(w.data.size());
    w.data = bytes_of(tensor_int8(w));
    w.dtype = DType::kInt8;
    dense_bytes += static_cast<int64_t>(w.data.size());
  }
  dense.validate("dense");
  EXPECT_LT(sparse_bytes, dense_bytes * 9 / 20);  // 30% nonzero + 1/8 bitmap
  EXPECT_EQ(ReferenceEngine(sparse).predict(rows), ReferenceEngine(dense).predict(rows));
  // A corrupted bitmap is caught on validation.
  DeployModel broken = sparse;
  broken.tensors[static_cast<size_t>(broken.ops[1].inputs[1])].data[0] ^= 0x01;
  EXPECT_THROW(broken.validate("broken"), Error);
}

TEST(PruneUnits, RemovesTheWeakestUnitsAndTheNextLayersInputs) {
  Model model = testing::random_model(Shape{{3}}, "dense:4,batchnorm,relu,dense:2", 1);
  Param& w = *model.layer(0).params()[0];  // {3, 4}
  for (int k = 0; k < 3; ++k) {
    w.value[k * 4 + 1] *= 1e-3f;  // units 1 and 3 barely listen to their inputs
    w.value[k * 4 + 3] *= 1e-3f;
  }
  Model smaller = prune_units(model, 0.5);
  ASSERT_EQ(smaller.layer(0).output_shape().dims, std::vector<int>{2});
  const Param& w2 = *smaller.layer(0).params()[0];
  EXPECT_EQ(w2.shape, (std::vector<int>{3, 2}));
  EXPECT_EQ(w2.value[0], w.value[0]);  // unit 0 kept as column 0
  EXPECT_EQ(w2.value[1], w.value[2]);  // unit 2 kept as column 1
  const Param& gamma = *smaller.layer(1).params()[0];
  EXPECT_EQ(gamma.value[1], model.layer(1).params()[0]->value[2]);
  const Param& next = *smaller.layer(3).params()[0];  // {2, 2}: rows of units 0 and 2
  const Param& old_next = *model.layer(3).params()[0];
  EXPECT_EQ(next.shape, (std::vector<int>{2, 2}));
  EXPECT_EQ(next.value[2], old_next.value[4]);
  EXPECT_EQ(smaller.metadata.class_names, model.metadata.class_names);
}

TEST(PruneUnits, ConvolutionsAreNamedAsNotYetSupported) {
  Model model = testing::random_model(Shape{{6, 6, 1}}, "conv2d:4:3x3,flatten,dense:2", 1);
  try {
    prune_units(model, 0.5);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.location(), "layers[0] (conv2d)");
  }
}

}  // namespace
}  // namespace tinymlops
