// Layer tests: finite-difference gradients of every layer and activation,
// naive-loop references for the convolutions, output shapes (TF "same"
// convention), make_layer round trips of config(), and MAC counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <numeric>

#include "nn/gradient_check.h"
#include "nn/rounding_bound.h"
#include "tinymlops/core/error.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {
namespace {

using testing::check_gradients;
using testing::GradientCheckOptions;

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, uint64_t seed, float low = -1, float high = 1) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(low, high);
  return m;
}

// Distinct values 0.05 apart in shuffled order: no max-pool ties within a step.
Matrix distinct_matrix(Eigen::Index rows, Eigen::Index cols, uint64_t seed) {
  std::vector<int> order(static_cast<size_t>(rows * cols));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  rng.shuffle(order);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    m.data()[i] = 0.05f * static_cast<float>(order[static_cast<size_t>(i)] - static_cast<int>(m.size() / 2));
  }
  return m;
}

// Builds `layer` for `input` and gives every trainable Param random values (so
// zero biases and unit gammas do not hide mistakes).
template <typename L>
std::unique_ptr<L> built(std::unique_ptr<L> layer, const Shape& input, uint64_t seed = 5) {
  Rng rng(seed);
  layer->build(input, Initializer::kGlorotUniform, rng);
  for (Param* param : layer->params()) {
    if (!param->trainable) continue;
    for (float& v : param->value) v = rng.uniform(-1.0f, 1.0f);
  }
  return layer;
}

Matrix forward(Layer& layer, const Matrix& input, bool training = false) {
  Rng rng(1);
  Matrix output;
  layer.forward(input, output, ForwardContext{training, &rng});
  return output;
}

// ---- Finite-difference gradients ----

TEST(LayerGradient, Dense) {
  auto layer = built(std::make_unique<Dense>(4), Shape{{2, 3}});
  EXPECT_TRUE(check_gradients(*layer, random_matrix(3, 6, 1)));
}

TEST(LayerGradient, Conv2DValidAndSameWithStrides) {
  for (Padding padding : {Padding::kValid, Padding::kSame}) {
    for (std::array<int, 2> stride : {std::array<int, 2>{1, 1}, {2, 2}, {2, 1}}) {
      auto layer = built(std::make_unique<Conv2D>(3, std::array<int, 2>{3, 2}, stride, padding), Shape{{5, 6, 2}});
      EXPECT_TRUE(check_gradients(*layer, random_matrix(2, 60, 2)))
          << padding_name(padding) << " stride " << stride[0] << "x" << stride[1];
    }
  }
}

TEST(LayerGradient, Conv1D) {
  for (Padding padding : {Padding::kValid, Padding::kSame}) {
    auto layer = built(std::make_unique<Conv1D>(3, 3, 2, padding), Shape{{8, 2}});
    EXPECT_TRUE(check_gradients(*layer, random_matrix(2, 16, 3))) << padding_name(padding);
  }
}

TEST(LayerGradient, DepthwiseConv2DMultiplier2) {
  for (Padding padding : {Padding::kValid, Padding::kSame}) {
    auto layer = built(std::make_unique<DepthwiseConv2D>(std::array<int, 2>{3, 3}, std::array<int, 2>{2, 2},
                                                         padding, 2),
                       Shape{{5, 6, 3}});
    EXPECT_TRUE(check_gradients(*layer, random_matrix(2, 90, 4))) << padding_name(padding);
  }
}

TEST(LayerGradient, Pool2DMaxAndAvg) {
  for (LayerKind kind : {LayerKind::kMaxPool, LayerKind::kAvgPool}) {
    // Overlapping windows (pool 3, stride 2) and a non-square pool.
    for (auto [pool, stride] : {std::pair{std::array<int, 2>{2, 2}, std::array<int, 2>{2, 2}},
                                std::pair{std::array<int, 2>{3, 2}, std::array<int, 2>{2, 1}}}) {
      auto layer = built(std::make_unique<Pool>(kind, pool, stride), Shape{{6, 5, 2}});
      EXPECT_TRUE(check_gradients(*layer, distinct_matrix(2, 60, 5))) << layer_kind_name(kind);
    }
  }
}

TEST(LayerGradient, Pool1DMaxAndAvg) {
  for (LayerKind kind : {LayerKind::kMaxPool, LayerKind::kAvgPool}) {
    auto layer = built(std::make_unique<Pool>(kind, std::array<int, 2>{3, 1}, std::array<int, 2>{2, 1}),
                       Shape{{9, 3}});
    EXPECT_TRUE(check_gradients(*layer, distinct_matrix(2, 27, 6))) << layer_kind_name(kind);
  }
}

TEST(LayerGradient, GlobalAvgPoolFlattenDropout) {
  auto pool = built(std::make_unique<GlobalAvgPool>(), Shape{{3, 4, 2}});
  EXPECT_TRUE(check_gradients(*pool, random_matrix(2, 24, 7)));
  auto pool1d = built(std::make_unique<GlobalAvgPool>(), Shape{{5, 3}});
  EXPECT_TRUE(check_gradients(*pool1d, random_matrix(2, 15, 7)));
  auto flatten = built(std::make_unique<Flatten>(), Shape{{2, 3, 2}});
  EXPECT_TRUE(check_gradients(*flatten, random_matrix(2, 12, 8)));
  auto dropout = built(std::make_unique<Dropout>(0.5f), Shape{{10}});
  GradientCheckOptions inference;
  inference.training = false;
  EXPECT_TRUE(check_gradients(*dropout, random_matrix(3, 10, 9), inference));
  // In training too: the checker reseeds every forward, so the mask is fixed.
  EXPECT_TRUE(check_gradients(*dropout, random_matrix(3, 10, 9)));
}

TEST(LayerGradient, BatchNormTraining) {
  auto features = built(std::make_unique<BatchNorm>(0.9f, 1e-3f), Shape{{4}});
  EXPECT_TRUE(check_gradients(*features, random_matrix(6, 4, 10)));
  auto channels = built(std::make_unique<BatchNorm>(0.9f, 1e-3f), Shape{{3, 2, 3}});
  EXPECT_TRUE(check_gradients(*channels, random_matrix(3, 18, 11)));
}

TEST(LayerGradient, EveryActivation) {
  Matrix input = random_matrix(3, 8, 12, -3, 3);
  for (float& v : input.reshaped()) {
    if (std::abs(v) < 0.1f) v += v < 0 ? -0.2f : 0.2f;  // away from the kinks at 0
  }
  for (int i = 0; i < static_cast<int>(ActivationKind::kCount); ++i) {
    auto kind = static_cast<ActivationKind>(i);
    auto layer = built(std::make_unique<Activation>(kind), Shape{{8}});
    EXPECT_TRUE(check_gradients(*layer, input)) << activation_name(kind);
  }
}

// ---- Naive references ----

// TF "same" geometry of one axis: output ceil(in / stride), odd padding at the end.
struct Axis {
  int out, pad_before;
};
Axis same_axis(int in, int kernel, int stride) {
  int out = (in + stride - 1) / stride;
  int total = std::max((out - 1) * stride + kernel - in, 0);
  return {out, total / 2};
}

// out[n, oy, ox, f] = bias[f] + sum over ky, kx, c of in[n, iy, ix, c] * w[ky, kx, c, f].
Matrix naive_conv2d(const Matrix& in, int h, int w, int c, const Eigen::VectorXf& weights,
                    const Eigen::VectorXf& bias, int kh, int kw, int sh, int sw) {
  const int f = static_cast<int>(bias.size());
  Axis ay = same_axis(h, kh, sh), ax = same_axis(w, kw, sw);
  Matrix out(in.rows(), ay.out * ax.out * f);
  for (int n = 0; n < in.rows(); ++n)
    for (int oy = 0; oy < ay.out; ++oy)
      for (int ox = 0; ox < ax.out; ++ox)
        for (int o = 0; o < f; ++o) {
          float sum = bias[o];
          for (int ky = 0; ky < kh; ++ky)
            for (int kx = 0; kx < kw; ++kx)
              for (int ci = 0; ci < c; ++ci) {
                int iy = oy * sh - ay.pad_before + ky, ix = ox * sw - ax.pad_before + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                sum += in(n, (iy * w + ix) * c + ci) * weights[((ky * kw + kx) * c + ci) * f + o];
              }
          out(n, (oy * ax.out + ox) * f + o) = sum;
        }
  return out;
}

// out[n, ol, f] = bias[f] + sum over k, c of in[n, il, c] * w[k, c, f].
Matrix naive_conv1d(const Matrix& in, int length, int c, const Eigen::VectorXf& weights,
                    const Eigen::VectorXf& bias, int kernel, int stride) {
  const int f = static_cast<int>(bias.size());
  Axis a = same_axis(length, kernel, stride);
  Matrix out(in.rows(), a.out * f);
  for (int n = 0; n < in.rows(); ++n)
    for (int ol = 0; ol < a.out; ++ol)
      for (int o = 0; o < f; ++o) {
        float sum = bias[o];
        for (int k = 0; k < kernel; ++k)
          for (int ci = 0; ci < c; ++ci) {
            int il = ol * stride - a.pad_before + k;
            if (il >= 0 && il < length) sum += in(n, il * c + ci) * weights[(k * c + ci) * f + o];
          }
        out(n, ol * f + o) = sum;
      }
  return out;
}

// out[n, oy, ox, ci * m + mi] = bias[..] + sum over ky, kx of in[n, iy, ix, ci] * w[ky, kx, ci, mi].
Matrix naive_depthwise(const Matrix& in, int h, int w, int c, int m, const Eigen::VectorXf& weights,
                       const Eigen::VectorXf& bias, int kh, int kw, int sh, int sw) {
  Axis ay = same_axis(h, kh, sh), ax = same_axis(w, kw, sw);
  Matrix out(in.rows(), ay.out * ax.out * c * m);
  for (int n = 0; n < in.rows(); ++n)
    for (int oy = 0; oy < ay.out; ++oy)
      for (int ox = 0; ox < ax.out; ++ox)
        for (int ci = 0; ci < c; ++ci)
          for (int mi = 0; mi < m; ++mi) {
            float sum = bias[ci * m + mi];
            for (int ky = 0; ky < kh; ++ky)
              for (int kx = 0; kx < kw; ++kx) {
                int iy = oy * sh - ay.pad_before + ky, ix = ox * sw - ax.pad_before + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                sum += in(n, (iy * w + ix) * c + ci) * weights[((ky * kw + kx) * c + ci) * m + mi];
              }
            out(n, ((oy * ax.out + ox) * c + ci) * m + mi) = sum;
          }
  return out;
}

// `actual` and `expected` are two float evaluations of sums of at most `terms`
// terms, whose absolute values add up to `magnitude`: they differ by no more
// than rounding (nn/rounding_bound.h).
void expect_within_rounding(const Matrix& actual, const Matrix& expected, int64_t terms, const Matrix& magnitude) {
  ASSERT_EQ(actual.cols(), expected.cols());
  for (Eigen::Index i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual.data()[i], expected.data()[i], testing::float_sum_tolerance(terms, magnitude.data()[i]))
        << "value " << i;
  }
}

// 7 rows (total padding 2: one each side) by 8 columns (total 1: all at the end).
TEST(LayerReference, Conv2DSameStride2) {
  auto layer = built(std::make_unique<Conv2D>(4, std::array<int, 2>{3, 3}, std::array<int, 2>{2, 2},
                                              Padding::kSame),
                     Shape{{7, 8, 3}});
  Matrix input = random_matrix(3, 7 * 8 * 3, 20);
  const Eigen::VectorXf& w = layer->params()[0]->value;
  const Eigen::VectorXf& b = layer->params()[1]->value;
  Matrix expected = naive_conv2d(input, 7, 8, 3, w, b, 3, 3, 2, 2);
  Matrix magnitude = naive_conv2d(input.cwiseAbs(), 7, 8, 3, w.cwiseAbs(), b.cwiseAbs(), 3, 3, 2, 2);
  expect_within_rounding(forward(*layer, input), expected, 3 * 3 * 3 + 1, magnitude);
}

TEST(LayerReference, Conv1DSameStride2) {
  auto layer = built(std::make_unique<Conv1D>(3, 4, 2, Padding::kSame), Shape{{9, 2}});
  Matrix input = random_matrix(3, 18, 21);
  const Eigen::VectorXf& w = layer->params()[0]->value;
  const Eigen::VectorXf& b = layer->params()[1]->value;
  Matrix expected = naive_conv1d(input, 9, 2, w, b, 4, 2);
  Matrix magnitude = naive_conv1d(input.cwiseAbs(), 9, 2, w.cwiseAbs(), b.cwiseAbs(), 4, 2);
  expect_within_rounding(forward(*layer, input), expected, 4 * 2 + 1, magnitude);
}

TEST(LayerReference, DepthwiseConv2DSameStride2) {
  auto layer = built(std::make_unique<DepthwiseConv2D>(std::array<int, 2>{3, 2}, std::array<int, 2>{2, 2},
                                                       Padding::kSame, 2),
                     Shape{{7, 8, 3}});
  Matrix input = random_matrix(3, 7 * 8 * 3, 22);
  const Eigen::VectorXf& w = layer->params()[0]->value;
  const Eigen::VectorXf& b = layer->params()[1]->value;
  Matrix expected = naive_depthwise(input, 7, 8, 3, 2, w, b, 3, 2, 2, 2);
  Matrix magnitude = naive_depthwise(input.cwiseAbs(), 7, 8, 3, 2, w.cwiseAbs(), b.cwiseAbs(), 3, 2, 2, 2);
  expect_within_rounding(forward(*layer, input), expected, 3 * 2 + 1, magnitude);
}

// Kernel 2, stride 1, "same": the one padding value goes after the sequence.
TEST(LayerReference, SamePaddingGoesAtTheEnd) {
  Conv1D layer(1, 2, 1, Padding::kSame);
  Rng rng(1);
  layer.build(Shape{{3, 1}}, Initializer::kGlorotUniform, rng);
  layer.params()[0]->value << 1, 10;
  layer.params()[1]->value << 0;
  Matrix input(1, 3);
  input << 1, 2, 3;
  Matrix expected(1, 3);
  expected << 21, 32, 3;
  EXPECT_EQ(forward(layer, input), expected);
}

TEST(LayerReference, PoolAndBatchNormValues) {
  Pool max(LayerKind::kMaxPool, {2, 2}, {2, 2}), avg(LayerKind::kAvgPool, {2, 2}, {2, 2});
  Rng rng(1);
  max.build(Shape{{2, 2, 1}}, Initializer::kGlorotUniform, rng);
  avg.build(Shape{{2, 2, 1}}, Initializer::kGlorotUniform, rng);
  Matrix input(1, 4);
  input << 1, -2, 5, 0;
  EXPECT_FLOAT_EQ(forward(max, input)(0, 0), 5);
  EXPECT_FLOAT_EQ(forward(avg, input)(0, 0), 1);

  // momentum 0: running statistics become the batch's, so inference matches training.
  BatchNorm norm(0.0f, 1e-3f);
  norm.build(Shape{{3}}, Initializer::kGlorotUniform, rng);
  Matrix batch = random_matrix(5, 3, 23);
  Matrix trained = forward(norm, batch, true);
  EXPECT_LT(trained.colwise().mean().cwiseAbs().maxCoeff(), 1e-5f);
  EXPECT_LT((forward(norm, batch) - trained).cwiseAbs().maxCoeff(), 1e-5f);
  BatchNorm slow(0.9f, 1e-3f);
  slow.build(Shape{{3}}, Initializer::kGlorotUniform, rng);
  forward(slow, batch, true);
  Eigen::VectorXf expected_mean = 0.1f * batch.colwise().mean().transpose();
  EXPECT_TRUE(slow.params()[2]->value.isApprox(expected_mean, 1e-5f));
  std::vector<Param*> params = slow.params();
  EXPECT_EQ(params[0]->name, "gamma");
  EXPECT_EQ(params[3]->name, "running_var");
  EXPECT_TRUE(params[0]->trainable && !params[0]->decays && params[1]->trainable && !params[1]->decays);
  EXPECT_FALSE(params[2]->trainable || params[3]->trainable);
}

// ---- Shapes, configs, MACs ----

Shape output_of(Layer&& layer, const Shape& input) {
  Rng rng(1);
  layer.build(input, Initializer::kGlorotUniform, rng);
  return layer.output_shape();
}

TEST(LayerShape, ConvolutionsFollowTheTensorFlowConvention) {
  using A = std::array<int, 2>;
  EXPECT_EQ(output_of(Conv2D(4, A{3, 3}, A{1, 1}, Padding::kValid), Shape{{8, 8, 1}}), Shape({{6, 6, 4}}));
  EXPECT_EQ(output_of(Conv2D(4, A{3, 3}, A{2, 2}, Padding::kValid), Shape{{9, 10, 2}}), Shape({{4, 4, 4}}));
  EXPECT_EQ(output_of(Conv2D(4, A{3, 3}, A{2, 2}, Padding::kSame), Shape{{7, 8, 3}}), Shape({{4, 4, 4}}));
  EXPECT_EQ(output_of(Conv2D(2, A{5, 3}, A{1, 1}, Padding::kSame), Shape{{7, 8, 3}}), Shape({{7, 8, 2}}));
  EXPECT_EQ(output_of(Conv2D(2, A{1, 1}, A{3, 3}, Padding::kSame), Shape{{7, 9, 1}}), Shape({{3, 3, 2}}));
  EXPECT_EQ(output_of(Conv1D(5, 3, 2, Padding::kValid), Shape{{10, 3}}), Shape({{4, 5}}));
  EXPECT_EQ(output_of(Conv1D(5, 3, 2, Padding::kSame), Shape{{10, 3}}), Shape({{5, 5}}));
  EXPECT_EQ(output_of(DepthwiseConv2D(A{3, 3}, A{2, 2}, Padding::kSame, 2), Shape{{5, 6, 3}}), Shape({{3, 3, 6}}));
  EXPECT_EQ(output_of(DepthwiseConv2D(A{3, 3}, A{1, 1}, Padding::kValid, 1), Shape{{5, 6, 3}}),
            Shape({{3, 4, 3}}));
}

TEST(LayerShape, PoolingAndTheRest) {
  using A = std::array<int, 2>;
  EXPECT_EQ(output_of(Pool(LayerKind::kMaxPool, A{2, 2}, A{2, 2}), Shape{{8, 9, 3}}), Shape({{4, 4, 3}}));
  EXPECT_EQ(output_of(Pool(LayerKind::kAvgPool, A{3, 3}, A{2, 2}), Shape{{9, 9, 1}}), Shape({{4, 4, 1}}));
  EXPECT_EQ(output_of(Pool(LayerKind::kMaxPool, A{2, 1}, A{2, 1}), Shape{{10, 4}}), Shape({{5, 4}}));
  EXPECT_EQ(output_of(Pool(LayerKind::kAvgPool, A{3, 3}, A{2, 2}), Shape{{9, 2}}), Shape({{4, 2}}));
  EXPECT_EQ(output_of(GlobalAvgPool(), Shape{{4, 4, 3}}), Shape({{3}}));
  EXPECT_EQ(output_of(GlobalAvgPool(), Shape{{10, 2}}), Shape({{2}}));
  EXPECT_EQ(output_of(Flatten(), Shape{{2, 3, 4}}), Shape({{24}}));
  EXPECT_EQ(output_of(BatchNorm(0.99f, 1e-3f), Shape{{4, 4, 3}}), Shape({{4, 4, 3}}));
  EXPECT_EQ(output_of(Dropout(0.2f), Shape{{7}}), Shape({{7}}));
}

TEST(LayerShape, BuildRejectsInputsThatDoNotFit) {
  using A = std::array<int, 2>;
  Rng rng(1);
  auto rejects = [&](Layer&& layer, const Shape& input) {
    try {
      layer.build(input, Initializer::kGlorotUniform, rng);
      ADD_FAILURE() << layer_kind_name(layer.kind()) << " accepted " << input.to_string();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalid) << e.what();
    }
  };
  rejects(Conv2D(2, A{5, 5}, A{1, 1}, Padding::kValid), Shape{{4, 8, 1}});
  rejects(Conv2D(2, A{3, 3}, A{1, 1}, Padding::kValid), Shape{{8, 8}});
  rejects(Conv1D(2, 3, 1, Padding::kValid), Shape{{8, 8, 1}});
  rejects(DepthwiseConv2D(A{3, 3}, A{1, 1}, Padding::kValid, 1), Shape{{2, 8, 1}});
  rejects(Pool(LayerKind::kMaxPool, A{3, 3}, A{1, 1}), Shape{{2, 8, 1}});
  rejects(GlobalAvgPool(), Shape{{8}});
}

TEST(LayerConfig, MakeLayerRebuildsEveryLayer) {
  using A = std::array<int, 2>;
  struct Case {
    std::unique_ptr<Layer> layer;
    Shape input;
  };
  std::vector<Case> cases;
  cases.push_back({std::make_unique<Dense>(7), Shape{{5}}});
  cases.push_back({std::make_unique<Conv2D>(3, A{3, 2}, A{2, 1}, Padding::kSame), Shape{{6, 5, 2}}});
  cases.push_back({std::make_unique<Conv1D>(4, 3, 2, Padding::kValid), Shape{{9, 2}}});
  cases.push_back({std::make_unique<DepthwiseConv2D>(A{3, 3}, A{1, 2}, Padding::kSame, 2), Shape{{5, 5, 2}}});
  cases.push_back({std::make_unique<Pool>(LayerKind::kMaxPool, A{2, 3}, A{1, 2}), Shape{{6, 6, 2}}});
  cases.push_back({std::make_unique<Pool>(LayerKind::kAvgPool, A{3, 1}, A{2, 1}), Shape{{9, 2}}});
  cases.push_back({std::make_unique<GlobalAvgPool>(), Shape{{3, 3, 2}}});
  cases.push_back({std::make_unique<Flatten>(), Shape{{3, 3, 2}}});
  cases.push_back({std::make_unique<Dropout>(0.3f), Shape{{6}}});
  cases.push_back({std::make_unique<BatchNorm>(0.9f, 1e-2f), Shape{{3, 4}}});
  cases.push_back({std::make_unique<Activation>(ActivationKind::kLeakyRelu, 0.2f), Shape{{6}}});
  cases.push_back({std::make_unique<Activation>(ActivationKind::kSoftmax), Shape{{6}}});
  for (Case& c : cases) {
    const nlohmann::json config = c.layer->config();
    SCOPED_TRACE(std::string(layer_kind_name(c.layer->kind())) + " " + config.dump());
    std::unique_ptr<Layer> copy = make_layer(c.layer->kind(), config, "test");
    EXPECT_EQ(copy->kind(), c.layer->kind());
    EXPECT_EQ(copy->config(), config);
    // Same seed, same input: the rebuilt layer computes the same function.
    Rng rng_a(9), rng_b(9);
    c.layer->build(c.input, Initializer::kGlorotUniform, rng_a);
    copy->build(c.input, Initializer::kGlorotUniform, rng_b);
    EXPECT_EQ(copy->output_shape(), c.layer->output_shape());
    Matrix input = random_matrix(2, c.input.size(), 30);
    EXPECT_EQ(forward(*copy, input), forward(*c.layer, input));
  }
}

TEST(LayerMacs, Convolutions) {
  using A = std::array<int, 2>;
  Conv2D conv(4, A{3, 3}, A{1, 1}, Padding::kValid);
  Rng rng(1);
  conv.build(Shape{{8, 8, 3}}, Initializer::kGlorotUniform, rng);
  EXPECT_EQ(conv.macs(), 6 * 6 * 4 * 3 * 3 * 3);  // positions x filters x patch
  DepthwiseConv2D depthwise(A{3, 3}, A{2, 2}, Padding::kSame, 2);
  depthwise.build(Shape{{8, 8, 3}}, Initializer::kGlorotUniform, rng);
  EXPECT_EQ(depthwise.macs(), 4 * 4 * 6 * 3 * 3);
  Conv1D conv1d(5, 3, 1, Padding::kValid);
  conv1d.build(Shape{{10, 2}}, Initializer::kGlorotUniform, rng);
  EXPECT_EQ(conv1d.macs(), 8 * 5 * 3 * 2);
}

}  // namespace
}  // namespace tinymlops
