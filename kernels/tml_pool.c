#include "tml_pool.h"

/* Index of (y, x, c) in a channels-last image of width w and c channels. */
#define TML_AT(y, x, c, w, channels) (((int32_t)(y) * (w) + (x)) * (channels) + (c))

void tml_max_pool_f32(const float* input, const tml_pool_shape* shape, float* output) {
  const tml_pool_shape s = *shape; /* a copy: stores to the output cannot change it */
  for (int oy = 0; oy < s.out_h; ++oy) {
    for (int ox = 0; ox < s.out_w; ++ox) {
      for (int c = 0; c < s.channels; ++c) {
        float best = input[TML_AT(oy * s.stride_h, ox * s.stride_w, c, s.in_w, s.channels)];
        for (int ky = 0; ky < s.pool_h; ++ky) {
          for (int kx = 0; kx < s.pool_w; ++kx) {
            float v = input[TML_AT(oy * s.stride_h + ky, ox * s.stride_w + kx, c, s.in_w, s.channels)];
            if (v > best) best = v;
          }
        }
        output[TML_AT(oy, ox, c, s.out_w, s.channels)] = best;
      }
    }
  }
}

void tml_max_pool_s8(const int8_t* input, const tml_pool_shape* shape, int8_t* output) {
  const tml_pool_shape s = *shape; /* a copy: stores to the output cannot change it */
  for (int oy = 0; oy < s.out_h; ++oy) {
    for (int ox = 0; ox < s.out_w; ++ox) {
      for (int c = 0; c < s.channels; ++c) {
        int8_t best = -128;
        for (int ky = 0; ky < s.pool_h; ++ky) {
          for (int kx = 0; kx < s.pool_w; ++kx) {
            int8_t v = input[TML_AT(oy * s.stride_h + ky, ox * s.stride_w + kx, c, s.in_w, s.channels)];
            if (v > best) best = v;
          }
        }
        output[TML_AT(oy, ox, c, s.out_w, s.channels)] = best;
      }
    }
  }
}

void tml_avg_pool_f32(const float* input, const tml_pool_shape* shape, float* output) {
  const tml_pool_shape s = *shape; /* a copy: stores to the output cannot change it */
  const float count = (float)(s.pool_h * s.pool_w);
  for (int oy = 0; oy < s.out_h; ++oy) {
    for (int ox = 0; ox < s.out_w; ++ox) {
      for (int c = 0; c < s.channels; ++c) {
        float sum = 0.0f;
        for (int ky = 0; ky < s.pool_h; ++ky) {
          for (int kx = 0; kx < s.pool_w; ++kx) {
            sum += input[TML_AT(oy * s.stride_h + ky, ox * s.stride_w + kx, c, s.in_w, s.channels)];
          }
        }
        output[TML_AT(oy, ox, c, s.out_w, s.channels)] = sum / count;
      }
    }
  }
}

/* sum / count rounded half away from zero (count >= 1), with C's truncating
 * division. */
static int32_t rounded_average(int32_t sum, int32_t count) {
  return sum >= 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

void tml_avg_pool_s8(const int8_t* input, const tml_pool_shape* shape, int8_t* output) {
  const tml_pool_shape s = *shape; /* a copy: stores to the output cannot change it */
  const int32_t count = (int32_t)s.pool_h * s.pool_w;
  for (int oy = 0; oy < s.out_h; ++oy) {
    for (int ox = 0; ox < s.out_w; ++ox) {
      for (int c = 0; c < s.channels; ++c) {
        int32_t sum = 0;
        for (int ky = 0; ky < s.pool_h; ++ky) {
          for (int kx = 0; kx < s.pool_w; ++kx) {
            sum += input[TML_AT(oy * s.stride_h + ky, ox * s.stride_w + kx, c, s.in_w, s.channels)];
          }
        }
        output[TML_AT(oy, ox, c, s.out_w, s.channels)] = (int8_t)rounded_average(sum, count);
      }
    }
  }
}

void tml_max_pool_s16(const int16_t* input, const tml_pool_shape* shape, int16_t* output) {
  const tml_pool_shape s = *shape; /* a copy: stores to the output cannot change it */
  for (int oy = 0; oy < s.out_h; ++oy) {
    for (int ox = 0; ox < s.out_w; ++ox) {
      for (int c = 0; c < s.channels; ++c) {
        int16_t best = INT16_MIN;
        for (int ky = 0; ky < s.pool_h; ++ky) {
          for (int kx = 0; kx < s.pool_w; ++kx) {
            int16_t v = input[TML_AT(oy * s.stride_h + ky, ox * s.stride_w + kx, c, s.in_w, s.channels)];
            if (v > best) best = v;
          }
        }
        output[TML_AT(oy, ox, c, s.out_w, s.channels)] = best;
      }
    }
  }
}

void tml_avg_pool_s16(const int16_t* input, const tml_pool_shape* shape, int16_t* output) {
  const tml_pool_shape s = *shape; /* a copy: stores to the output cannot change it */
  const int32_t count = (int32_t)s.pool_h * s.pool_w;
  for (int oy = 0; oy < s.out_h; ++oy) {
    for (int ox = 0; ox < s.out_w; ++ox) {
      for (int c = 0; c < s.channels; ++c) {
        /* count <= 65535: sum - count / 2 >= -65535 * 32768 - 32767 = INT32_MIN + 1
         * and sum + count / 2 <= 65536 * 32767 < INT32_MAX. */
        int32_t sum = 0;
        for (int ky = 0; ky < s.pool_h; ++ky) {
          for (int kx = 0; kx < s.pool_w; ++kx) {
            sum += input[TML_AT(oy * s.stride_h + ky, ox * s.stride_w + kx, c, s.in_w, s.channels)];
          }
        }
        output[TML_AT(oy, ox, c, s.out_w, s.channels)] = (int16_t)rounded_average(sum, count);
      }
    }
  }
}
