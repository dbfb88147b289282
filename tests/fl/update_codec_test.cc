#include "tinymlops/fl/update_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>

#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/nn/layer_spec.h"

namespace tinymlops::fl {
namespace {

constexpr UpdateEncoding kEncodings[] = {UpdateEncoding::kFloat32, UpdateEncoding::kInt8};

// The digits MLP of the benchmarks: 64 inputs, 32 hidden, 10 classes.
Layout digits_layout() {
  Model model(Shape{{64}});
  add_layers(model, parse_layer_specs("dense:32:relu,dense:10,softmax"));
  model.build(Initializer::kGlorotUniform, 1);
  return layout_of(model);
}

// Three tensors, one of them all zero.
Layout small_layout() { return {{"w", 0, 6}, {"zeros", 6, 3}, {"b", 9, 2}}; }

Weights random_delta(const Layout& layout, uint64_t seed, float spread) {
  Rng rng(seed);
  Weights delta(layout_size(layout));
  for (float& v : delta) v = spread * rng.normal();
  return delta;
}

// A random delta of small_layout() whose "zeros" tensor is zero.
Weights small_delta(uint64_t seed) {
  Weights delta = random_delta(small_layout(), seed, 1);
  std::fill(delta.begin() + 6, delta.begin() + 9, 0.0f);
  return delta;
}

void set_float(std::string& bytes, size_t offset, float value) {
  const auto bits = std::bit_cast<uint32_t>(value);
  for (size_t i = 0; i < 4; ++i) bytes[offset + i] = static_cast<char>((bits >> (8 * i)) & 0xff);
}

TEST(FlUpdateCodec, NamesRoundTrip) {
  for (UpdateEncoding e : kEncodings) EXPECT_EQ(parse_encoding(encoding_name(e)), e);
  try {
    parse_encoding("int4");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find("float32, int8"), std::string::npos);
  }
}

TEST(FlUpdateCodec, Float32RoundTripsExactly) {
  const Layout layout = small_layout();
  Weights delta = random_delta(layout, 1, 0.1f);
  delta[1] = -0.0f;
  const std::string bytes = encode_delta(delta, layout, UpdateEncoding::kFloat32);
  EXPECT_EQ(bytes.size(), 4 * layout_size(layout));
  EXPECT_EQ(bytes.size(), encoded_size(layout, UpdateEncoding::kFloat32));
  EXPECT_EQ(std::bit_cast<uint32_t>(decode_delta(bytes, layout, UpdateEncoding::kFloat32, "u")[1]), 0x80000000u);
  EXPECT_EQ(decode_delta(bytes, layout, UpdateEncoding::kFloat32, "u"), delta);
  // Little-endian: 1.0f is 00 00 80 3f.
  const std::string one = encode_delta(Weights{1.0f}, Layout{{"x", 0, 1}}, UpdateEncoding::kFloat32);
  EXPECT_EQ(one, std::string("\x00\x00\x80\x3f", 4));
}

TEST(FlUpdateCodec, Int8RoundTripErrorIsAtMostHalfAScalePerValue) {
  const Layout layout = digits_layout();
  for (uint64_t seed = 0; seed < 5; ++seed) {
    const Weights delta = random_delta(layout, seed, 0.01f);
    const std::string bytes = encode_delta(delta, layout, UpdateEncoding::kInt8);
    ASSERT_EQ(bytes.size(), encoded_size(layout, UpdateEncoding::kInt8));
    const Weights decoded = decode_delta(bytes, layout, UpdateEncoding::kInt8, "u");
    for (const TensorSlice& t : layout) {
      float largest = 0;
      for (size_t i = 0; i < t.size; ++i) largest = std::max(largest, std::fabs(delta[t.offset + i]));
      const float scale = largest / 127;
      for (size_t i = 0; i < t.size; ++i) {
        EXPECT_LE(std::fabs(decoded[t.offset + i] - delta[t.offset + i]), scale / 2 * (1 + 1e-5f))
            << t.name << "[" << i << "]";
      }
    }
  }
}

TEST(FlUpdateCodec, Int8BytesAreScaleThenValuesPerTensor) {
  const Layout layout = small_layout();
  // Tensor "w": max 127 -> scale 1; 0.5 is half a step (rounds away to 1),
  // -1.5 rounds to -2.
  Weights delta = {127, 0.5f, -1.5f, -127, 0, 10, 0, 0, 0, 2.0f, -0.5f};
  const std::string bytes = encode_delta(delta, layout, UpdateEncoding::kInt8);
  ASSERT_EQ(bytes.size(), (4u + 6) + (4 + 3) + (4 + 2));
  EXPECT_FLOAT_EQ(std::bit_cast<float>(uint32_t{static_cast<uint8_t>(bytes[0])} |
                                       uint32_t{static_cast<uint8_t>(bytes[1])} << 8 |
                                       uint32_t{static_cast<uint8_t>(bytes[2])} << 16 |
                                       uint32_t{static_cast<uint8_t>(bytes[3])} << 24),
                  1.0f);
  EXPECT_EQ(static_cast<int8_t>(bytes[4]), 127);
  EXPECT_EQ(static_cast<int8_t>(bytes[5]), 1);
  EXPECT_EQ(static_cast<int8_t>(bytes[6]), -2);
  EXPECT_EQ(static_cast<int8_t>(bytes[7]), -127);
  EXPECT_EQ(static_cast<int8_t>(bytes[9]), 10);
  EXPECT_EQ(bytes.substr(10, 7), std::string(7, '\0'));  // zero tensor: scale 0, values 0
  const Weights decoded = decode_delta(bytes, layout, UpdateEncoding::kInt8, "u");
  EXPECT_EQ(decoded[6], 0);
  EXPECT_FLOAT_EQ(decoded[9], 2.0f);
  EXPECT_EQ(decoded[1], 1);
  EXPECT_NEAR(decoded[10], -0.5f, 1.0f / 127);  // -32 steps of 2/127
}

TEST(FlUpdateCodec, Int8IsAboutFourTimesSmallerForTheDigitsMlp) {
  const Layout layout = digits_layout();
  const size_t float_bytes = encoded_size(layout, UpdateEncoding::kFloat32);
  const size_t int8_bytes = encoded_size(layout, UpdateEncoding::kInt8);
  const double ratio = static_cast<double>(float_bytes) / static_cast<double>(int8_bytes);
  std::printf("digits MLP 64-32-10 (%zu values, %zu tensors): float32 %zu bytes, int8 %zu bytes, %.3fx smaller\n",
              layout_size(layout), layout.size(), float_bytes, int8_bytes, ratio);
  EXPECT_EQ(float_bytes, 4u * 2410);
  EXPECT_EQ(int8_bytes, 2410u + 4 * 4);
  EXPECT_GT(ratio, 3.9);
}

// A biased signal: every round the same small value sits next to a large one
// in the same tensor, below half a quantization step, so plain int8 rounds it
// to 0 every time; error feedback carries it over until it is sent.
TEST(FlUpdateCodec, ErrorFeedbackTracksTheSumOfTrueDeltas) {
  const Layout layout = {{"w", 0, 4}};
  Rng rng(9);
  ErrorFeedbackEncoder feedback;
  std::vector<double> true_sum(4, 0), feedback_sum(4, 0), plain_sum(4, 0);
  double worst_feedback_drift = 0;
  for (int round = 0; round < 200; ++round) {
    const Weights delta = {1.0f + 0.1f * rng.normal(), 0.003f, -0.002f, 0.001f * rng.normal()};
    const Weights sent = decode_delta(feedback.encode(delta, layout, UpdateEncoding::kInt8), layout,
                                      UpdateEncoding::kInt8, "ef");
    const Weights plain = decode_delta(encode_delta(delta, layout, UpdateEncoding::kInt8), layout,
                                       UpdateEncoding::kInt8, "plain");
    for (size_t j = 0; j < 4; ++j) {
      true_sum[j] += delta[j];
      feedback_sum[j] += sent[j];
      plain_sum[j] += plain[j];
      worst_feedback_drift = std::max(worst_feedback_drift, std::fabs(true_sum[j] - feedback_sum[j]));
    }
    // What is missing from the sum is exactly the residual still held back.
    for (size_t j = 0; j < 4; ++j) EXPECT_NEAR(true_sum[j] - feedback_sum[j], feedback.residual()[j], 1e-3);
  }
  // Scales are ~1.3/127 = 0.01: error feedback stays within about a step.
  EXPECT_LT(worst_feedback_drift, 0.02);
  // Plain int8 loses 0.003 and 0.002 every round: 0.6 and 0.4 after 200 rounds.
  EXPECT_GT(std::fabs(true_sum[1] - plain_sum[1]), 0.5);
  EXPECT_GT(std::fabs(true_sum[2] - plain_sum[2]), 0.3);
}

TEST(FlUpdateCodec, ErrorFeedbackUnderFloat32KeepsAZeroResidual) {
  const Layout layout = small_layout();
  ErrorFeedbackEncoder feedback;
  EXPECT_TRUE(feedback.residual().empty());
  const Weights delta = random_delta(layout, 2, 1);
  EXPECT_EQ(feedback.encode(delta, layout, UpdateEncoding::kFloat32),
            encode_delta(delta, layout, UpdateEncoding::kFloat32));
  EXPECT_EQ(feedback.residual(), Weights(layout_size(layout), 0));
}

TEST(FlUpdateCodec, EncodeRejectsWrongSizesAndNonFiniteValuesAndKeepsTheResidual) {
  const Layout layout = small_layout();
  ErrorFeedbackEncoder feedback;
  feedback.encode(random_delta(layout, 3, 1), layout, UpdateEncoding::kInt8);
  const Weights residual = feedback.residual();
  Weights bad = random_delta(layout, 4, 1);
  bad[3] = std::numeric_limits<float>::quiet_NaN();
  for (UpdateEncoding e : kEncodings) {
    EXPECT_THROW(encode_delta(Weights(5, 0), layout, e), Error);
    EXPECT_THROW(encode_delta(bad, layout, e), Error);
    EXPECT_THROW(feedback.encode(bad, layout, e), Error);
    EXPECT_THROW(feedback.encode(Weights(5, 0), layout, e), Error);
  }
  EXPECT_THROW(feedback.encode(Weights(3, 0), Layout{{"x", 0, 3}}, UpdateEncoding::kInt8), Error);
  EXPECT_EQ(feedback.residual(), residual);
}

ErrorKind decode_error(const std::string& bytes, const Layout& layout, UpdateEncoding e) {
  try {
    decode_delta(bytes, layout, e, "update from c1");
  } catch (const Error& error) {
    EXPECT_EQ(error.location(), "update from c1");
    return error.kind();
  }
  ADD_FAILURE() << "accepted " << bytes.size() << " bytes";
  return ErrorKind::kUsage;
}

TEST(FlUpdateCodec, EveryWrongLengthIsRejected) {
  const Layout layout = small_layout();
  for (UpdateEncoding e : kEncodings) {
    const std::string good = encode_delta(random_delta(layout, 5, 1), layout, e);
    for (size_t length = 0; length < good.size() + 8; ++length) {
      if (length == good.size()) continue;
      std::string bytes = good.substr(0, std::min(length, good.size()));
      bytes.resize(length, '\x01');
      EXPECT_EQ(decode_error(bytes, layout, e), ErrorKind::kFormat) << encoding_name(e) << " " << length;
    }
  }
}

TEST(FlUpdateCodec, BadScalesAndValuesAreRejected) {
  const Layout layout = small_layout();
  const std::string good = encode_delta(small_delta(6), layout, UpdateEncoding::kInt8);
  ASSERT_EQ(good.substr(10, 7), std::string(7, '\0'));
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  for (size_t scale_at : {size_t{0}, size_t{10}, size_t{17}}) {  // the scale of each tensor
    for (float scale : {nan, inf, -inf, -0.01f, 3e38f}) {
      std::string bytes = good;
      set_float(bytes, scale_at, scale);
      if (scale_at == 10 && scale == 3e38f) bytes[14] = 127;  // "zeros" would decode to 0 otherwise
      EXPECT_EQ(decode_error(bytes, layout, UpdateEncoding::kInt8), ErrorKind::kFormat) << scale_at << " " << scale;
    }
  }
  std::string minus128 = good;
  minus128[5] = static_cast<char>(0x80);
  EXPECT_EQ(decode_error(minus128, layout, UpdateEncoding::kInt8), ErrorKind::kFormat);
  std::string under_zero_scale = good;
  under_zero_scale[15] = 3;  // a value of the all-zero tensor
  EXPECT_EQ(decode_error(under_zero_scale, layout, UpdateEncoding::kInt8), ErrorKind::kFormat);

  const std::string floats = encode_delta(random_delta(layout, 7, 1), layout, UpdateEncoding::kFloat32);
  for (size_t value = 0; value < layout_size(layout); ++value) {
    for (float bad : {nan, inf, -inf}) {
      std::string bytes = floats;
      set_float(bytes, 4 * value, bad);
      EXPECT_EQ(decode_error(bytes, layout, UpdateEncoding::kFloat32), ErrorKind::kFormat);
    }
  }
}

// Random corruption: the decoder either rejects the bytes or returns finite
// values within the int8 grid; never a crash or a partial result.
TEST(FlUpdateCodec, RandomCorruptionIsRejectedOrDecodesToFiniteValues) {
  const Layout layout = small_layout();
  Rng rng(12);
  for (UpdateEncoding e : kEncodings) {
    const std::string good = encode_delta(random_delta(layout, 8, 1), layout, e);
    for (int trial = 0; trial < 2000; ++trial) {
      std::string bytes = good;
      const int flips = 1 + static_cast<int>(rng.below(4));
      for (int k = 0; k < flips; ++k) bytes[rng.below(bytes.size())] = static_cast<char>(rng.below(256));
      try {
        const Weights decoded = decode_delta(bytes, layout, e, "fuzz");
        ASSERT_EQ(decoded.size(), layout_size(layout));
        for (float v : decoded) ASSERT_TRUE(std::isfinite(v));
      } catch (const Error& error) {
        ASSERT_EQ(error.kind(), ErrorKind::kFormat);
      }
    }
  }
}

}  // namespace
}  // namespace tinymlops::fl
