// tml_fully_connected_sparse_s8: bitmap of nonzero weights + their values.
#include <gtest/gtest.h>

#include <vector>

#include "reference.h"
#include "tml_fully_connected.h"

namespace {

// Bitmap (bit i % 8 of byte i / 8) and the nonzero values, written from the header.
void encode(const std::vector<int8_t>& dense, std::vector<uint8_t>* mask, std::vector<int8_t>* values) {
  mask->assign((dense.size() + 7) / 8, 0);
  values->clear();
  for (size_t i = 0; i < dense.size(); ++i) {
    if (dense[i] == 0) continue;
    (*mask)[i / 8] = static_cast<uint8_t>((*mask)[i / 8] | (1u << (i % 8)));
    values->push_back(dense[i]);
  }
}

TEST(FullyConnectedSparse, HandComputed) {
  // 3 inputs x 3 outputs, w = {{0, 4, 0}, {-2, 0, 0}, {0, 0, 9}}: bits 1, 3, 8.
  const std::vector<int8_t> dense = {0, 4, 0, -2, 0, 0, 0, 0, 9};
  std::vector<uint8_t> mask;
  std::vector<int8_t> values;
  encode(dense, &mask, &values);
  ASSERT_EQ(mask, (std::vector<uint8_t>{0x0A, 0x01}));
  ASSERT_EQ(values, (std::vector<int8_t>{4, -2, 9}));
  const int8_t input[3] = {7, 3, -5};
  const int32_t bias[3] = {1, 2, 3};
  const tml_requant unit[3] = {{1 << 30, 1}, {1 << 30, 1}, {1 << 30, 1}};
  const tml_q8_params p = {1, 0, -128, 127};
  int8_t out[3];
  tml_fully_connected_sparse_s8(input, 3, mask.data(), values.data(), bias, 3, unit, &p, out);
  EXPECT_EQ(out[0], 1 + 4 * (3 - 1));    // 9
  EXPECT_EQ(out[1], 2 + -2 * (7 - 1));   // -10
  EXPECT_EQ(out[2], 3 + 9 * (-5 - 1));   // -51
}

TEST(FullyConnectedSparse, RandomMatchesDenseReference) {
  std::mt19937 rng(8);
  for (int iter = 0; iter < 300; ++iter) {
    const int in_features = tml_test::rand_int(rng, 1, 37);
    const int out_features = tml_test::rand_int(rng, 1, 9);
    std::vector<int8_t> input(static_cast<size_t>(in_features));
    std::vector<int8_t> dense(static_cast<size_t>(in_features * out_features));
    std::vector<int32_t> bias(static_cast<size_t>(out_features));
    std::vector<tml_requant> requant(static_cast<size_t>(out_features));
    const int density = tml_test::rand_int(rng, 0, 100);
    for (auto& v : input) v = tml_test::rand_s8(rng);
    for (auto& v : dense) v = tml_test::rand_int(rng, 0, 99) < density ? tml_test::rand_s8(rng, -127, 127) : 0;
    for (auto& v : bias) v = tml_test::rand_int(rng, -5000, 5000);
    for (auto& r : requant) r = {tml_test::rand_multiplier(rng), tml_test::rand_int(rng, -12, 0)};
    const int32_t out_zp = tml_test::rand_int(rng, -128, 127);
    int32_t act_min = 0, act_max = 0;
    tml_test::rand_clamp(rng, out_zp, act_min, act_max);
    const tml_q8_params p = {tml_test::rand_int(rng, -128, 127), out_zp, act_min, act_max};
    std::vector<uint8_t> mask;
    std::vector<int8_t> values;
    encode(dense, &mask, &values);
    std::vector<int8_t> out(static_cast<size_t>(out_features));
    tml_fully_connected_sparse_s8(input.data(), in_features, mask.data(), values.data(), bias.data(), out_features,
                                  requant.data(), &p, out.data());
    for (int o = 0; o < out_features; ++o) {
      int64_t acc = bias[static_cast<size_t>(o)];
      for (int i = 0; i < in_features; ++i) {
        acc += (int64_t{input[static_cast<size_t>(i)]} - p.input_zero_point) *
               dense[static_cast<size_t>(o * in_features + i)];
      }
      const tml_requant& r = requant[static_cast<size_t>(o)];
      ASSERT_EQ(out[static_cast<size_t>(o)], tml_test::output_s8(acc, r.multiplier, r.shift, out_zp, act_min, act_max))
          << "iter " << iter;
    }
  }
}

}  // namespace
