// The kernel tests write each output channel's requantization as one
// tml_requant {multiplier, shift}; the kernels read one packed int32 per
// channel (tml_common.h's tml_pack_requant and tml_load_requant). These
// overloads, one per integer kernel, pack the pairs and call the real kernel,
// so a test states its parameters the way the rule set does. The multipliers
// must have 24 significant bits (low 7 bits zero), as stored: a pair that
// would not survive packing aborts the test.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tml_common.h"
#include "tml_conv.h"
#include "tml_fully_connected.h"

namespace tml_test {

// The packed form of `count` pairs.
struct SplitRequant {
  SplitRequant(const tml_requant* requant, int count) {
    for (int c = 0; c < count; ++c) {
      packed.push_back(tml_pack_requant(requant[c]));
      const tml_requant back = tml_load_requant(packed.data(), c);
      if (back.multiplier != requant[c].multiplier || back.shift != requant[c].shift) std::abort();
    }
  }
  std::vector<int32_t> packed;
};

}  // namespace tml_test

inline void tml_fully_connected_s8(const int8_t* input, int in_features, const int8_t* weights, const int32_t* bias,
                                   int out_features, const tml_requant* requant, const tml_q8_params* params,
                                   int8_t* output) {
  const tml_test::SplitRequant r(requant, out_features);
  tml_fully_connected_s8(input, in_features, weights, bias, out_features, r.packed.data(), params,
                         output);
}

inline void tml_fully_connected_s16(const int16_t* input, int in_features, const int8_t* weights, const int64_t* bias,
                                    int out_features, const tml_requant* requant, const tml_q16_params* params,
                                    int16_t* output) {
  const tml_test::SplitRequant r(requant, out_features);
  tml_fully_connected_s16(input, in_features, weights, bias, out_features, r.packed.data(),
                          params, output);
}

inline void tml_fully_connected_s4(const int8_t* input, int in_features, const uint8_t* packed_weights,
                                   const int32_t* bias, int out_features, const tml_requant* requant,
                                   const tml_q8_params* params, int8_t* output) {
  const tml_test::SplitRequant r(requant, out_features);
  tml_fully_connected_s4(input, in_features, packed_weights, bias, out_features, r.packed.data(),
                         params, output);
}

inline void tml_fully_connected_codebook_s8(const int8_t* input, int in_features, const uint8_t* packed_indices,
                                            const int8_t* codebook, const int32_t* bias, int out_features,
                                            const tml_requant* requant, const tml_q8_params* params, int8_t* output) {
  const tml_test::SplitRequant r(requant, out_features);
  tml_fully_connected_codebook_s8(input, in_features, packed_indices, codebook, bias, out_features,
                                  r.packed.data(), params, output);
}

inline void tml_fully_connected_sparse_s8(const int8_t* input, int in_features, const uint8_t* mask,
                                          const int8_t* values, const int32_t* bias, int out_features,
                                          const tml_requant* requant, const tml_q8_params* params, int8_t* output) {
  const tml_test::SplitRequant r(requant, out_features);
  tml_fully_connected_sparse_s8(input, in_features, mask, values, bias, out_features, r.packed.data(), params, output);
}

// Convolutions: one pair per output channel (shape->out_c).
#define TML_TEST_CONV_ADAPTER(name, in_type, weight_params, weight_args, bias_type, params_type, out_type)            \
  inline void name(const in_type* input, const tml_conv_shape* shape, weight_params, const bias_type* bias,             \
                   const tml_requant* requant, const params_type* params, out_type* output) {                          \
    const tml_test::SplitRequant r(requant, shape->out_c);                                                             \
    name(input, shape, weight_args, bias, r.packed.data(), params, output);                      \
  }
#define TML_TEST_COMMA ,
TML_TEST_CONV_ADAPTER(tml_conv2d_s8, int8_t, const int8_t* weights, weights, int32_t, tml_q8_params, int8_t)
TML_TEST_CONV_ADAPTER(tml_depthwise_conv2d_s8, int8_t, const int8_t* weights, weights, int32_t, tml_q8_params, int8_t)
TML_TEST_CONV_ADAPTER(tml_conv2d_s16, int16_t, const int8_t* weights, weights, int64_t, tml_q16_params, int16_t)
TML_TEST_CONV_ADAPTER(tml_depthwise_conv2d_s16, int16_t, const int8_t* weights, weights, int64_t, tml_q16_params,
                      int16_t)
TML_TEST_CONV_ADAPTER(tml_conv2d_s4, int8_t, const uint8_t* packed, packed, int32_t, tml_q8_params, int8_t)
TML_TEST_CONV_ADAPTER(tml_depthwise_conv2d_s4, int8_t, const uint8_t* packed, packed, int32_t, tml_q8_params, int8_t)
TML_TEST_CONV_ADAPTER(tml_conv2d_codebook_s8, int8_t, const uint8_t* packed TML_TEST_COMMA const int8_t* codebook,
                      packed TML_TEST_COMMA codebook, int32_t, tml_q8_params, int8_t)
TML_TEST_CONV_ADAPTER(tml_depthwise_conv2d_codebook_s8, int8_t,
                      const uint8_t* packed TML_TEST_COMMA const int8_t* codebook, packed TML_TEST_COMMA codebook,
                      int32_t, tml_q8_params, int8_t)
TML_TEST_CONV_ADAPTER(tml_conv2d_sparse_s8, int8_t, const uint8_t* mask TML_TEST_COMMA const int8_t* values,
                      mask TML_TEST_COMMA values, int32_t, tml_q8_params, int8_t)
#undef TML_TEST_COMMA
#undef TML_TEST_CONV_ADAPTER
