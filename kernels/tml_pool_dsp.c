#include "tml_pool_dsp.h"

#include "tml_arm_dsp.h"

void tml_max_pool_s8_dsp(const int8_t* input, const tml_pool_shape* shape, int8_t* output) {
  const tml_pool_shape s = *shape; /* a copy: stores to the output cannot change it */
  const int32_t row = (int32_t)s.in_w * s.channels; /* bytes from one input row to the next */
  for (int oy = 0; oy < s.out_h; ++oy) {
    for (int ox = 0; ox < s.out_w; ++ox) {
      const int8_t* const window = input + ((int32_t)oy * s.stride_h * s.in_w + ox * s.stride_w) * s.channels;
      int c = 0;
      /* Four channels at a time: a word of each tap. */
      for (; c + 4 <= s.channels; c += 4, output += 4) {
        uint32_t largest = 0x80808080u; /* -128 in each byte */
        for (int ky = 0; ky < s.pool_h; ++ky) {
          const int8_t* tap = window + ky * row + c;
          for (int kx = 0; kx < s.pool_w; ++kx, tap += s.channels) {
            largest = tml_dsp_max_s8x4(largest, tml_dsp_load4(tap));
          }
        }
        memcpy(output, &largest, 4);
      }
      /* The last one to three channels. */
      for (; c < s.channels; ++c) {
        int8_t largest = -128;
        for (int ky = 0; ky < s.pool_h; ++ky) {
          const int8_t* tap = window + ky * row + c;
          for (int kx = 0; kx < s.pool_w; ++kx, tap += s.channels) largest = *tap > largest ? *tap : largest;
        }
        *output++ = largest;
      }
    }
  }
}
