// tml_fully_connected_codebook_s8: 4-bit indices into an int8 codebook.
#include <gtest/gtest.h>

#include <vector>

#include "reference.h"
#include "tml_fully_connected.h"

namespace {

std::vector<uint8_t> pack_indices(const std::vector<int>& indices) {
  std::vector<uint8_t> bytes((indices.size() + 1) / 2, 0);
  for (size_t i = 0; i < indices.size(); ++i) {
    bytes[i / 2] = static_cast<uint8_t>(bytes[i / 2] | (i % 2 ? indices[i] << 4 : indices[i]));
  }
  return bytes;
}

TEST(FullyConnectedCodebook, HandComputed) {
  const int8_t codebook[16] = {-100, -3, 0, 5, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  // 2 inputs x 2 outputs: w = {{-3, 127}, {5, -100}} -> indices {{1, 4}, {3, 0}}.
  const std::vector<uint8_t> packed = pack_indices({1, 4, 3, 0});
  EXPECT_EQ(packed[0], 0x41);
  const int8_t input[2] = {2, -1};
  const int32_t bias[2] = {10, -10};
  const tml_requant unit[2] = {{1 << 30, 1}, {1 << 30, 1}};
  const tml_q8_params p = {0, 0, -128, 127};
  int8_t out[2];
  tml_fully_connected_codebook_s8(input, 2, packed.data(), codebook, bias, 2, unit, &p, out);
  EXPECT_EQ(out[0], 10 + 2 * -3 + -1 * 127);  // -123
  EXPECT_EQ(out[1], -10 + 2 * 5 + -1 * -100);  // 100
}

TEST(FullyConnectedCodebook, RandomMatchesReference) {
  std::mt19937 rng(16);
  for (int iter = 0; iter < 300; ++iter) {
    const int in_features = tml_test::rand_int(rng, 1, 29);
    const int out_features = tml_test::rand_int(rng, 1, 9);
    int8_t codebook[16];
    for (int8_t& c : codebook) c = tml_test::rand_s8(rng, -127, 127);
    std::vector<int8_t> input(static_cast<size_t>(in_features));
    std::vector<int> indices(static_cast<size_t>(in_features * out_features));
    std::vector<int32_t> bias(static_cast<size_t>(out_features));
    std::vector<tml_requant> requant(static_cast<size_t>(out_features));
    for (auto& v : input) v = tml_test::rand_s8(rng);
    for (auto& v : indices) v = tml_test::rand_int(rng, 0, 15);
    for (auto& v : bias) v = tml_test::rand_int(rng, -5000, 5000);
    for (auto& r : requant) r = {tml_test::rand_multiplier(rng), tml_test::rand_int(rng, -12, 0)};
    const int32_t out_zp = tml_test::rand_int(rng, -128, 127);
    int32_t act_min = 0, act_max = 0;
    tml_test::rand_clamp(rng, out_zp, act_min, act_max);
    const tml_q8_params p = {tml_test::rand_int(rng, -128, 127), out_zp, act_min, act_max};
    const std::vector<uint8_t> packed = pack_indices(indices);
    std::vector<int8_t> out(static_cast<size_t>(out_features));
    tml_fully_connected_codebook_s8(input.data(), in_features, packed.data(), codebook, bias.data(), out_features,
                                    requant.data(), &p, out.data());
    for (int o = 0; o < out_features; ++o) {
      int64_t acc = bias[static_cast<size_t>(o)];
      for (int i = 0; i < in_features; ++i) {
        acc += (int64_t{input[static_cast<size_t>(i)]} - p.input_zero_point) *
               codebook[indices[static_cast<size_t>(o * in_features + i)]];
      }
      const tml_requant& r = requant[static_cast<size_t>(o)];
      ASSERT_EQ(out[static_cast<size_t>(o)], tml_test::output_s8(acc, r.multiplier, r.shift, out_zp, act_min, act_max))
          << "iter " << iter;
    }
  }
}

}  // namespace
