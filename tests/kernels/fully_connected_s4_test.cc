// tml_fully_connected_s4: int8 activations, int4 weights packed two per byte
// (even flat index in the low nibble).
#include <gtest/gtest.h>

#include <vector>

#include "reference.h"
#include "tml_fully_connected.h"

namespace {

// Packs signed 4-bit values as the header describes (written here, not shared
// with the library's packer).
std::vector<uint8_t> pack(const std::vector<int>& values) {
  std::vector<uint8_t> bytes((values.size() + 1) / 2, 0);
  for (size_t i = 0; i < values.size(); ++i) {
    const unsigned nibble = static_cast<unsigned>(values[i] < 0 ? values[i] + 16 : values[i]);
    bytes[i / 2] = static_cast<uint8_t>(bytes[i / 2] | (i % 2 ? nibble << 4 : nibble));
  }
  return bytes;
}

TEST(FullyConnectedS4, HandComputed) {
  // 3 inputs, 3 outputs: weights [o][i] = {{1, -2, 7}, {-8, 0, 3}, {5, -1, -7}}; nine
  // values, so the packing ends mid-byte.
  const std::vector<int> w = {1, -2, 7, -8, 0, 3, 5, -1, -7};
  const std::vector<uint8_t> packed = pack(w);
  ASSERT_EQ(packed.size(), 5u);
  EXPECT_EQ(packed[0], 0xE1);  // low 1, high -2 (0xE)
  const int8_t input[3] = {10, -4, 3};
  const int32_t bias[3] = {5, -5, 0};
  const tml_requant unit[3] = {{1 << 30, 1}, {1 << 30, 1}, {1 << 30, 1}};  // m = 1
  const tml_q8_params p = {2, -1, -128, 127};
  int8_t out[3];
  tml_fully_connected_s4(input, 3, packed.data(), bias, 3, unit, &p, out);
  // x - zp = {8, -6, 1}
  EXPECT_EQ(out[0], -1 + 5 + 8 * 1 + -6 * -2 + 1 * 7);   // 31
  EXPECT_EQ(out[1], -1 + -5 + 8 * -8 + 0 + 1 * 3);       // -67
  EXPECT_EQ(out[2], -1 + 0 + 8 * 5 + -6 * -1 + 1 * -7);  // 38
}

TEST(FullyConnectedS4, RandomMatchesReference) {
  std::mt19937 rng(44);
  for (int iter = 0; iter < 300; ++iter) {
    const int in_features = tml_test::rand_int(rng, 1, 33);
    const int out_features = tml_test::rand_int(rng, 1, 9);
    std::vector<int8_t> input(static_cast<size_t>(in_features));
    std::vector<int> weights(static_cast<size_t>(in_features * out_features));
    std::vector<int32_t> bias(static_cast<size_t>(out_features));
    std::vector<tml_requant> requant(static_cast<size_t>(out_features));
    for (auto& v : input) v = tml_test::rand_s8(rng);
    for (auto& v : weights) v = tml_test::rand_int(rng, -8, 7);
    for (auto& v : bias) v = tml_test::rand_int(rng, -5000, 5000);
    for (auto& r : requant) r = {tml_test::rand_multiplier(rng), tml_test::rand_int(rng, -10, 0)};
    const int32_t out_zp = tml_test::rand_int(rng, -128, 127);
    int32_t act_min = 0, act_max = 0;
    tml_test::rand_clamp(rng, out_zp, act_min, act_max);
    const tml_q8_params p = {tml_test::rand_int(rng, -128, 127), out_zp, act_min, act_max};
    const std::vector<uint8_t> packed = pack(weights);
    std::vector<int8_t> out(static_cast<size_t>(out_features));
    tml_fully_connected_s4(input.data(), in_features, packed.data(), bias.data(), out_features, requant.data(), &p,
                           out.data());
    for (int o = 0; o < out_features; ++o) {
      int64_t acc = bias[static_cast<size_t>(o)];
      for (int i = 0; i < in_features; ++i) {
        acc += (int64_t{input[static_cast<size_t>(i)]} - p.input_zero_point) *
               weights[static_cast<size_t>(o * in_features + i)];
      }
      const tml_requant& r = requant[static_cast<size_t>(o)];
      ASSERT_EQ(out[static_cast<size_t>(o)], tml_test::output_s8(acc, r.multiplier, r.shift, out_zp, act_min, act_max))
          << "iter " << iter << " o " << o;
    }
  }
}

}  // namespace
