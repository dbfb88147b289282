// prune.h: magnitude masks, gradual schedule, fine-tuning, structured removal.
#include "tinymlops/compress/prune.h"

#include <gtest/gtest.h>

#include <array>
#include <functional>

#include "../runtime/model_fixtures.h"
#include "nn/rounding_bound.h"
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

// A small digits CNN (8x8x1 images, channels last): 0 conv {3,3,1,16} -> 6x6x16,
// 1 bn, 2 relu, 3 conv {3,3,16,32} -> 4x4x32, 4 relu, 5 maxpool -> 2x2x32,
// 6 flatten (128), 7 dense {128,10}, 8 softmax. 6,122 trainable parameters; half
// the filters removed: conv {3,3,1,8} 80, bn 16, conv {3,3,8,16} 1,168, dense {64,10} 650.
constexpr const char* kDigitsCnn = "conv2d:16:3x3,batchnorm,relu,conv2d:32:3x3:relu,maxpool:2,flatten,dense:10,softmax";
constexpr int64_t kDigitsCnnParamsAfter = 80 + 16 + 1168 + 650;

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

Param& param(Model& model, size_t layer, const std::string& name) {
  for (Param* p : model.layer(layer).params()) {
    if (p->name == name) return *p;
  }
  throw Error(ErrorKind::kInvalid, name, "no such param");
}

// Makes output unit/filter `unit` of a Dense/Conv layer compute exactly 0: zero
// incoming weights and bias, so its norm is the smallest.
void silence(Model& model, size_t layer, int unit) {
  Param& w = param(model, layer, "weights");
  const int units = w.shape.back();
  for (int64_t r = 0; r < w.value.size() / units; ++r) w.value[r * units + unit] = 0.0f;
  param(model, layer, "bias").value[unit] = 0.0f;
}

// Removing filters that only ever output 0 (after ReLU where their constant
// would not be 0) changes no output, and the parameter count drops by exactly
// the removed weights: the filters' own, their per-channel followers' and the
// next layer's inputs.
struct SilentFiltersCase {
  std::string name;
  Shape input;
  std::string layers;
  std::function<void(Model&)> silence_half;  // makes the weakest half of the pruned filters silent
  int64_t removed_trainable;
  std::vector<int> filters_after;  // of the Dense/Conv layers, in order
};

std::vector<SilentFiltersCase> silent_filter_cases() {
  return {
      // 0 conv {3,3,2,4}, 1 bn, 2 relu, 3 conv {3,3,4,3}. Filters 1, 3 go: 2 x (18 + 1) conv,
      // 2 x 2 gamma/beta, 2 x 9 x 3 inputs of layer 3.
      {"conv-bn-relu-conv", Shape{{6, 6, 2}}, "conv2d:4:3x3:padding=same,batchnorm,relu,conv2d:3:3x3",
       [](Model& m) {
         for (int f : {1, 3}) {
           silence(m, 0, f);
           param(m, 1, "running_mean").value[f] = 0.0f;
           param(m, 1, "beta").value[f] = -1.0f;  // relu(-1) = 0
         }
       },
       2 * 19 + 2 * 2 + 2 * 9 * 3, {2, 3}},
      // 0 conv {3,3,2,4}, 1 depthwise {3,3,4,2} (8 outputs), 2 relu, 3 conv {1,1,8,3}.
      // Filters 0, 2 go with depthwise outputs 0, 1, 4, 5: 2 x 19 conv, 4 x (9 + 1)
      // depthwise, 4 x 3 inputs of layer 3.
      {"conv-depthwise-relu-conv", Shape{{6, 6, 2}},
       "conv2d:4:3x3:padding=same,depthwise_conv2d:3x3:multiplier=2,relu,conv2d:3:1x1",
       [](Model& m) {
         for (int f : {0, 2}) {
           silence(m, 0, f);
           for (int o : {2 * f, 2 * f + 1}) param(m, 1, "bias").value[o] = -0.5f;
         }
       },
       2 * 19 + 4 * 10 + 4 * 3, {2, 3}},
      // 0 conv {3,3,1,4} -> 4x4x4, 1 relu, 2 maxpool 2 -> 2x2x4, 3 flatten (16), 4 dense {16,5}.
      // Filters 1, 2 go: 2 x 10 conv, 4 positions x 2 channels x 5 dense rows.
      {"conv-relu-pool-flatten-dense", Shape{{6, 6, 1}}, "conv2d:4:3x3:relu,maxpool:2,flatten,dense:5",
       [](Model& m) { silence(m, 0, 1), silence(m, 0, 2); }, 2 * 10 + 4 * 2 * 5, {2, 5}},
      // Same without pooling, and the dense layer also pruned (4 -> 2 units) into the output layer.
      // 0 conv {3,3,1,4} -> 3x3x4, 1 flatten (36), 2 dense {36,4}, 3 relu, 4 dense {4,3}.
      // Filters 0, 3 go: 2 x 10 conv, 9 x 2 x 4 dense rows; units 1, 2 go: 2 x (18 + 1), 2 x 3.
      {"conv-flatten-dense-dense", Shape{{5, 5, 1}}, "conv2d:4:3x3,flatten,dense:4:relu,dense:3",
       [](Model& m) {
         silence(m, 0, 0), silence(m, 0, 3);
         silence(m, 2, 1), silence(m, 2, 2);
       },
       2 * 10 + 9 * 2 * 4 + 2 * 19 + 2 * 3, {2, 2, 3}},
      // Sequences: 0 conv1d {3,2,4} -> 8x4, 1 relu, 2 maxpool 2 -> 4x4, 3 conv1d {2,4,3} -> 3x3,
      // 4 global_avgpool (3), 5 dense {3,2}. Filters 0, 1 of layer 0 go: 2 x (6 + 1), 2 x 2 x 3
      // inputs of layer 3; filter 2 of layer 3 goes (floor(1.5) = 1): 2 x 2 + 1, and 2 dense weights.
      {"conv1d-pool-conv1d-globalpool-dense", Shape{{10, 2}},
       "conv1d:4:3:relu,maxpool:2,conv1d:3:2,global_avgpool,dense:2",
       [](Model& m) { silence(m, 0, 0), silence(m, 0, 1), silence(m, 3, 2); },
       2 * 7 + 2 * 2 * 3 + 5 + 2, {2, 2, 2}},
  };
}

TEST(PruneUnits, RemovingSilentFiltersKeepsEveryOutputAndShrinksExactly) {
  for (const SilentFiltersCase& c : silent_filter_cases()) {
    SCOPED_TRACE(c.name);
    Model model = testing::random_model(c.input, c.layers, 5);
    c.silence_half(model);
    Model smaller = prune_units(model, 0.5);
    EXPECT_EQ(model.trainable_parameter_count() - smaller.trainable_parameter_count(), c.removed_trainable);
    std::vector<int> filters;
    for (size_t i = 0; i < smaller.num_layers(); ++i) {
      const LayerKind kind = smaller.layer(i).kind();
      if (kind == LayerKind::kDense || kind == LayerKind::kConv1D || kind == LayerKind::kConv2D) {
        filters.push_back(smaller.layer(i).output_shape().dims.back());
      }
    }
    EXPECT_EQ(filters, c.filters_after);
    const Matrix x = testing::random_inputs(20, c.input.size(), 9);
    EXPECT_TRUE(testing::within_float_tolerance(model, x, model.predict(x), smaller.predict(x)));
  }
}

// Filter norms: 0 = |0.9| alone (L1 0.9, L2 0.9), 1 = four 0.3s (L1 1.2, L2 0.6),
// 2 = four 1s, 3 = four 0.5s. L1 drops filter 0, L2 drops filter 1.
TEST(PruneUnits, RemovesTheLowestNormFiltersByL1OrL2) {
  Model model = testing::random_model(Shape{{3, 3, 1}}, "conv2d:4:2x2,flatten,dense:2", 2);
  Param& w = param(model, 0, "weights");  // {2, 2, 1, 4}: value[tap * 4 + filter]
  const std::array<std::array<float, 4>, 4> filters = {
      {{0.9f, 0, 0, 0}, {0.3f, -0.3f, 0.3f, 0.3f}, {1, 1, -1, 1}, {0.5f, 0.5f, 0.5f, -0.5f}}};
  for (int f = 0; f < 4; ++f) {
    for (int t = 0; t < 4; ++t) w.value[t * 4 + f] = filters[static_cast<size_t>(f)][static_cast<size_t>(t)];
  }
  for (UnitNorm norm : {UnitNorm::kL1, UnitNorm::kL2}) {
    SCOPED_TRACE(unit_norm_name(norm));
    const std::vector<int> kept = norm == UnitNorm::kL1 ? std::vector<int>{1, 2, 3} : std::vector<int>{0, 2, 3};
    Model smaller = prune_units(model, 0.25, norm);
    const Param& w2 = param(smaller, 0, "weights");
    ASSERT_EQ(w2.shape, (std::vector<int>{2, 2, 1, 3}));
    for (int f = 0; f < 3; ++f) {
      const int old_f = kept[static_cast<size_t>(f)];
      for (int t = 0; t < 4; ++t) EXPECT_EQ(w2.value[t * 3 + f], w.value[t * 4 + old_f]);
      EXPECT_EQ(param(smaller, 0, "bias").value[f], param(model, 0, "bias").value[old_f]);
    }
    // Dense rows follow the channels-last flat layout: feature position * C + c.
    const Param& d = param(model, 2, "weights");  // {16, 2}
    const Param& d2 = param(smaller, 2, "weights");  // {12, 2}
    ASSERT_EQ(d2.shape, (std::vector<int>{12, 2}));
    for (int p = 0; p < 4; ++p) {
      for (int f = 0; f < 3; ++f) {
        for (int u = 0; u < 2; ++u) {
          EXPECT_EQ(d2.value[(p * 3 + f) * 2 + u], d.value[(p * 4 + kept[static_cast<size_t>(f)]) * 2 + u]);
        }
      }
    }
  }
  // Never below one filter: 90% of 4 removes 3.
  EXPECT_EQ(prune_units(model, 0.9).layer(0).output_shape().dims.back(), 1);
}

TEST(PruneUnits, NormNamesRoundTripAndUnknownIsAUsageError) {
  for (UnitNorm norm : {UnitNorm::kL1, UnitNorm::kL2}) EXPECT_EQ(parse_unit_norm(unit_norm_name(norm), "--norm"), norm);
  try {
    parse_unit_norm("l3", "--norm");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_EQ(e.location(), "--norm");
  }
}

TEST(PruneUnits, ASoftmaxBetweenTwoPrunedLayersIsNamed) {
  Model model = testing::random_model(Shape{{6, 6, 1}}, "conv2d:4:3x3,softmax,flatten,dense:2", 1);
  try {
    prune_units(model, 0.5);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalid);
    EXPECT_EQ(e.location(), "layers[1] (activation)");
  }
}

// A pruned CNN with batch norm, depthwise and pooling is an ordinary model: it
// saves and loads to the same bytes and outputs, and lowers to a DeployModel
// whose reference engine computes the same function.
TEST(PruneUnits, PrunedCnnSavesLoadsAndLowers) {
  Model model = testing::random_model(Shape{{8, 8, 2}},
                                      "conv2d:6:3x3:padding=same,batchnorm,relu,depthwise_conv2d:3x3:multiplier=2,"
                                      "relu6,maxpool:2,conv2d:4:1x1,batchnorm,relu,flatten,dense:5:relu,dense:3,softmax",
                                      4);
  Model smaller = prune_units(model, 0.5);
  EXPECT_LT(smaller.trainable_parameter_count(), model.trainable_parameter_count() / 2);
  const std::string bytes = serialize_model(smaller);
  Model loaded = parse_model(bytes, "pruned");
  EXPECT_EQ(serialize_model(loaded), bytes);
  const Matrix x = testing::random_inputs(16, 128, 3);
  const Matrix expected = loaded.predict(x);
  EXPECT_TRUE(smaller.predict(x) == expected);
  EXPECT_TRUE(testing::within_float_tolerance(loaded, x, expected, ReferenceEngine(lower_model(loaded)).predict(x)));
}

// The check for filters: half the filters of a small digits CNN removed
// (3.2x fewer parameters), then fine-tuned for 20 epochs, stays within 2 points
// of the float CNN (measured: 0.9861 float, 0.9777 pruned), and the pruned
// model lowers and deploys with the same predictions.
TEST(PruneUnits, DigitsCnnHalfTheFiltersFineTunedKeepsAccuracy) {
  Dataset data = load_dataset(testing::source_dir() / "examples/data/digits.csv", {.label = "digit"});
  SplitIndices split = split_dataset(data, 0.0, 0.2, 1);
  const Dataset train = data.subset(split.train), test = data.subset(split.test);
  Model model(Shape{{8, 8, 1}});
  add_layers(model, parse_layer_specs(kDigitsCnn));
  model.build(Initializer::kGlorotUniform, 1);
  model.metadata.normalization = fit_normalization(NormalizationKind::kStandard, train.features);
  model.metadata.feature_names = data.feature_names;
  model.metadata.class_names = data.class_names;
  TrainOptions options;
  options.epochs = 20;
  train_model(model, train, nullptr, options, nullptr);
  const double before = classification_metrics(test.classes, model.predict(test.features)).accuracy;

  Model smaller = prune_units(model, 0.5);
  EXPECT_EQ(smaller.trainable_parameter_count(), kDigitsCnnParamsAfter);
  const double pruned = classification_metrics(test.classes, smaller.predict(test.features)).accuracy;
  options.epochs = 20;
  train_model(smaller, train, nullptr, options, nullptr);
  const double after = classification_metrics(test.classes, smaller.predict(test.features)).accuracy;
  EXPECT_GE(after, before - 0.02) << "float " << before << " pruned " << pruned << " fine-tuned " << after;
  const Matrix deployed = ReferenceEngine(lower_model(smaller)).predict(test.features);
  EXPECT_TRUE(testing::within_float_tolerance(smaller, test.features, smaller.predict(test.features), deployed));
}

}  // namespace
}  // namespace tinymlops
