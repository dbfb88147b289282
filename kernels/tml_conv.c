#include "tml_conv.h"

static float clamp_f32(float value, float low, float high) { return value < low ? low : (value > high ? high : value); }

void tml_conv2d_f32(const float* input, const tml_conv_shape* s, const float* weights, const float* bias, float act_min,
                    float act_max, float* output) {
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int f = 0; f < s->out_c; ++f) {
        float acc = bias ? TML_LD_F32(&bias[f]) : 0.0f;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            const float* in = input + ((int32_t)iy * s->in_w + ix) * s->in_c;
            const float* w = weights + (((int32_t)f * s->kernel_h + ky) * s->kernel_w + kx) * s->in_c;
            for (int c = 0; c < s->in_c; ++c) acc += in[c] * TML_LD_F32(&w[c]);
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + f] = clamp_f32(acc, act_min, act_max);
      }
    }
  }
}

void tml_conv2d_s8(const int8_t* input, const tml_conv_shape* s, const int8_t* weights, const int32_t* bias,
                   const int32_t* requant, const tml_q8_params* p, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(p);
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int f = 0; f < s->out_c; ++f) {
        int32_t acc = bias ? TML_LD_S32(&bias[f]) : 0;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            const int8_t* in = input + ((int32_t)iy * s->in_w + ix) * s->in_c;
            const int8_t* w = weights + (((int32_t)f * s->kernel_h + ky) * s->kernel_w + kx) * s->in_c;
            for (int c = 0; c < s->in_c; ++c) acc += ((int32_t)in[c] - q.input_zero_point) * (int32_t)TML_LD_S8(&w[c]);
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + f] =
            tml_output_s8(acc, tml_load_requant(requant, f), &q);
      }
    }
  }
}

void tml_depthwise_conv2d_f32(const float* input, const tml_conv_shape* s, const float* weights, const float* bias,
                              float act_min, float act_max, float* output) {
  const int multiplier = s->out_c / s->in_c;
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int o = 0; o < s->out_c; ++o) {
        const int c = o / multiplier;
        float acc = bias ? TML_LD_F32(&bias[o]) : 0.0f;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            acc += input[((int32_t)iy * s->in_w + ix) * s->in_c + c] *
                   TML_LD_F32(&weights[((int32_t)ky * s->kernel_w + kx) * s->out_c + o]);
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + o] = clamp_f32(acc, act_min, act_max);
      }
    }
  }
}

void tml_depthwise_conv2d_s8(const int8_t* input, const tml_conv_shape* s, const int8_t* weights, const int32_t* bias,
                             const int32_t* requant, const tml_q8_params* p, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(p);
  const int multiplier = s->out_c / s->in_c;
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int o = 0; o < s->out_c; ++o) {
        const int c = o / multiplier;
        int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            acc += ((int32_t)input[((int32_t)iy * s->in_w + ix) * s->in_c + c] - q.input_zero_point) *
                   (int32_t)TML_LD_S8(&weights[((int32_t)ky * s->kernel_w + kx) * s->out_c + o]);
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + o] =
            tml_output_s8(acc, tml_load_requant(requant, o), &q);
      }
    }
  }
}

void tml_conv2d_s16(const int16_t* input, const tml_conv_shape* s, const int8_t* weights, const int64_t* bias,
                    const int32_t* requant, const tml_q16_params* p, int16_t* output) {
  const tml_q16_params q = tml_load_q16_params(p);
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int f = 0; f < s->out_c; ++f) {
        int64_t acc = bias ? TML_LD_S64(&bias[f]) : 0;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            const int16_t* in = input + ((int32_t)iy * s->in_w + ix) * s->in_c;
            const int8_t* w = weights + (((int32_t)f * s->kernel_h + ky) * s->kernel_w + kx) * s->in_c;
            for (int c = 0; c < s->in_c; ++c) acc += (int32_t)in[c] * (int32_t)TML_LD_S8(&w[c]);
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + f] =
            tml_output_s16(acc, tml_load_requant(requant, f), &q);
      }
    }
  }
}

void tml_depthwise_conv2d_s16(const int16_t* input, const tml_conv_shape* s, const int8_t* weights, const int64_t* bias,
                              const int32_t* requant, const tml_q16_params* p,
                              int16_t* output) {
  const tml_q16_params q = tml_load_q16_params(p);
  const int multiplier = s->out_c / s->in_c;
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int o = 0; o < s->out_c; ++o) {
        const int c = o / multiplier;
        int64_t acc = bias ? TML_LD_S64(&bias[o]) : 0;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            acc += (int32_t)input[((int32_t)iy * s->in_w + ix) * s->in_c + c] *
                   (int32_t)TML_LD_S8(&weights[((int32_t)ky * s->kernel_w + kx) * s->out_c + o]);
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + o] =
            tml_output_s16(acc, tml_load_requant(requant, o), &q);
      }
    }
  }
}

/* ------------------------------------------------ compressed weights, int8 */

void tml_conv2d_s4(const int8_t* input, const tml_conv_shape* s, const uint8_t* packed_weights, const int32_t* bias,
                   const int32_t* requant, const tml_q8_params* p, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(p);
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int f = 0; f < s->out_c; ++f) {
        int32_t acc = bias ? TML_LD_S32(&bias[f]) : 0;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            const int8_t* in = input + ((int32_t)iy * s->in_w + ix) * s->in_c;
            const int32_t w = (((int32_t)f * s->kernel_h + ky) * s->kernel_w + kx) * s->in_c;
            for (int c = 0; c < s->in_c; ++c) {
              acc += ((int32_t)in[c] - q.input_zero_point) * tml_s4_at(packed_weights, w + c);
            }
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + f] =
            tml_output_s8(acc, tml_load_requant(requant, f), &q);
      }
    }
  }
}

void tml_conv2d_codebook_s8(const int8_t* input, const tml_conv_shape* s, const uint8_t* packed_indices,
                            const int8_t* codebook, const int32_t* bias, const int32_t* requant,
                            const tml_q8_params* p, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(p);
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int f = 0; f < s->out_c; ++f) {
        int32_t acc = bias ? TML_LD_S32(&bias[f]) : 0;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            const int8_t* in = input + ((int32_t)iy * s->in_w + ix) * s->in_c;
            const int32_t w = (((int32_t)f * s->kernel_h + ky) * s->kernel_w + kx) * s->in_c;
            for (int c = 0; c < s->in_c; ++c) {
              acc += ((int32_t)in[c] - q.input_zero_point) *
                     (int32_t)TML_LD_S8(&codebook[tml_u4_at(packed_indices, w + c)]);
            }
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + f] =
            tml_output_s8(acc, tml_load_requant(requant, f), &q);
      }
    }
  }
}

void tml_conv2d_sparse_s8(const int8_t* input, const tml_conv_shape* s, const uint8_t* mask, const int8_t* values,
                          const int32_t* bias, const int32_t* requant, const tml_q8_params* p,
                          int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(p);
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      /* Filters in order, every tap of each: `next` is the values index of the
       * next nonzero weight, so filter f starts after the nonzeros of 0..f-1. */
      int32_t next = 0;
      for (int f = 0; f < s->out_c; ++f) {
        int32_t acc = bias ? TML_LD_S32(&bias[f]) : 0;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            const int inside = iy >= 0 && iy < s->in_h && ix >= 0 && ix < s->in_w;
            const int32_t w = (((int32_t)f * s->kernel_h + ky) * s->kernel_w + kx) * s->in_c;
            for (int c = 0; c < s->in_c; ++c) {
              if (!tml_mask_bit(mask, w + c)) continue;
              const int32_t value = (int32_t)TML_LD_S8(&values[next++]);
              if (!inside) continue;
              acc += ((int32_t)input[((int32_t)iy * s->in_w + ix) * s->in_c + c] - q.input_zero_point) * value;
            }
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + f] =
            tml_output_s8(acc, tml_load_requant(requant, f), &q);
      }
    }
  }
}

void tml_depthwise_conv2d_s4(const int8_t* input, const tml_conv_shape* s, const uint8_t* packed_weights,
                             const int32_t* bias, const int32_t* requant,
                             const tml_q8_params* p, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(p);
  const int multiplier = s->out_c / s->in_c;
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int o = 0; o < s->out_c; ++o) {
        const int c = o / multiplier;
        int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            acc += ((int32_t)input[((int32_t)iy * s->in_w + ix) * s->in_c + c] - q.input_zero_point) *
                   tml_s4_at(packed_weights, ((int32_t)ky * s->kernel_w + kx) * s->out_c + o);
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + o] =
            tml_output_s8(acc, tml_load_requant(requant, o), &q);
      }
    }
  }
}

void tml_depthwise_conv2d_codebook_s8(const int8_t* input, const tml_conv_shape* s, const uint8_t* packed_indices,
                                      const int8_t* codebook, const int32_t* bias, const int32_t* requant,
                                      const tml_q8_params* p, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(p);
  const int multiplier = s->out_c / s->in_c;
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int o = 0; o < s->out_c; ++o) {
        const int c = o / multiplier;
        int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            const int32_t k = tml_u4_at(packed_indices, ((int32_t)ky * s->kernel_w + kx) * s->out_c + o);
            acc += ((int32_t)input[((int32_t)iy * s->in_w + ix) * s->in_c + c] - q.input_zero_point) *
                   (int32_t)TML_LD_S8(&codebook[k]);
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + o] =
            tml_output_s8(acc, tml_load_requant(requant, o), &q);
      }
    }
  }
}

/* ---------------------------------------------- compressed weights, float32 */

void tml_conv2d_f16w(const float* input, const tml_conv_shape* s, const uint16_t* weights, const float* bias,
                     float act_min, float act_max, float* output) {
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int f = 0; f < s->out_c; ++f) {
        float acc = bias ? TML_LD_F32(&bias[f]) : 0.0f;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            const float* in = input + ((int32_t)iy * s->in_w + ix) * s->in_c;
            const uint16_t* w = weights + (((int32_t)f * s->kernel_h + ky) * s->kernel_w + kx) * s->in_c;
            for (int c = 0; c < s->in_c; ++c) acc += in[c] * tml_f16_to_f32(TML_LD_U16(&w[c]));
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + f] = clamp_f32(acc, act_min, act_max);
      }
    }
  }
}

void tml_conv2d_w8(const float* input, const tml_conv_shape* s, const int8_t* weights, const float* scales,
                   const float* bias, float act_min, float act_max, float* output) {
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int f = 0; f < s->out_c; ++f) {
        float sum = 0.0f;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            const float* in = input + ((int32_t)iy * s->in_w + ix) * s->in_c;
            const int8_t* w = weights + (((int32_t)f * s->kernel_h + ky) * s->kernel_w + kx) * s->in_c;
            for (int c = 0; c < s->in_c; ++c) sum += in[c] * (float)TML_LD_S8(&w[c]);
          }
        }
        const float acc = (bias ? TML_LD_F32(&bias[f]) : 0.0f) + TML_LD_F32(&scales[f]) * sum;
        output[((int32_t)oy * s->out_w + ox) * s->out_c + f] = clamp_f32(acc, act_min, act_max);
      }
    }
  }
}

void tml_depthwise_conv2d_f16w(const float* input, const tml_conv_shape* s, const uint16_t* weights, const float* bias,
                               float act_min, float act_max, float* output) {
  const int multiplier = s->out_c / s->in_c;
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int o = 0; o < s->out_c; ++o) {
        const int c = o / multiplier;
        float acc = bias ? TML_LD_F32(&bias[o]) : 0.0f;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            acc += input[((int32_t)iy * s->in_w + ix) * s->in_c + c] *
                   tml_f16_to_f32(TML_LD_U16(&weights[((int32_t)ky * s->kernel_w + kx) * s->out_c + o]));
          }
        }
        output[((int32_t)oy * s->out_w + ox) * s->out_c + o] = clamp_f32(acc, act_min, act_max);
      }
    }
  }
}

void tml_depthwise_conv2d_w8(const float* input, const tml_conv_shape* s, const int8_t* weights, const float* scales,
                             const float* bias, float act_min, float act_max, float* output) {
  const int multiplier = s->out_c / s->in_c;
  for (int oy = 0; oy < s->out_h; ++oy) {
    for (int ox = 0; ox < s->out_w; ++ox) {
      for (int o = 0; o < s->out_c; ++o) {
        const int c = o / multiplier;
        float sum = 0.0f;
        for (int ky = 0; ky < s->kernel_h; ++ky) {
          const int iy = oy * s->stride_h - s->pad_top + ky;
          if (iy < 0 || iy >= s->in_h) continue;
          for (int kx = 0; kx < s->kernel_w; ++kx) {
            const int ix = ox * s->stride_w - s->pad_left + kx;
            if (ix < 0 || ix >= s->in_w) continue;
            sum += input[((int32_t)iy * s->in_w + ix) * s->in_c + c] *
                   (float)TML_LD_S8(&weights[((int32_t)ky * s->kernel_w + kx) * s->out_c + o]);
          }
        }
        const float acc = (bias ? TML_LD_F32(&bias[o]) : 0.0f) + TML_LD_F32(&scales[o]) * sum;
        output[((int32_t)oy * s->out_w + ox) * s->out_c + o] = clamp_f32(acc, act_min, act_max);
      }
    }
  }
}
