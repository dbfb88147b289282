#include "tml_conv_dsp.h"

#include <string.h>

#include "tml_dot_dsp.h"

/* Filters of at most this many bytes (kernel_h * kernel_w * in_c; 3x3 over 28
 * channels) have each output pixel's taps gathered into one run on the stack,
 * padded taps as the input zero point, and the pixel computed as a
 * fully-connected layer over that run: four filters by four bytes per step
 * (tml_rows_s8_dsp), however short the kernel rows (a 3x3 filter over one
 * channel has rows of 3 bytes). Larger filters read their kernel rows in place,
 * two filters at a time. */
#define TML_CONV_DSP_GATHER_BYTES 256

/* [*first, *last) = the kernel taps k in [0, kernel) whose input position
 * origin + k lies in [0, size). */
static void tml_taps_inside(int origin, int kernel, int size, int* first, int* last) {
  *first = origin < 0 ? -origin : 0;
  *last = size - origin < kernel ? size - origin : kernel;
  if (*last < *first) *last = *first;
}

/* The out_c outputs of one pixel from its `rows` kernel rows inside the image,
 * each a run of `run` bytes: the input's at x, x + image_row, ..., each
 * filter's at w + f * filter_size, then + row_length, .... Two filters at a
 * time; an odd last one paired with itself, its second sum not used. Not
 * inlined (GCC), so that the gathered path keeps its registers. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void tml_conv_pixel_s8_dsp(const int8_t* x, int32_t image_row, const int8_t* w, int32_t row_length,
                                  int rows, int run, int32_t filter_size, int out_c, const int32_t* bias,
                                  const int32_t* requant, const tml_q8_params* q, int8_t* out) {
  const int32_t zero_point = q->input_zero_point;
  const uint32_t offset = tml_dsp_offset(zero_point);
  for (int f = 0; f < out_c; f += 2) {
    const int count = out_c - f < 2 ? 1 : 2;
    int32_t acc[2];
    acc[0] = bias ? TML_LD_S32(&bias[f]) : 0;
    acc[1] = bias && count == 2 ? TML_LD_S32(&bias[f + 1]) : 0;
    const int8_t* filter = w + (int32_t)f * filter_size;
    for (int r = 0; r < rows; ++r) {
      const int8_t* row = filter + r * row_length;
      tml_dot_two_rows_s8_dsp(x + r * image_row, row, row + (count == 2 ? filter_size : 0), run, zero_point, offset,
                              &acc[0], &acc[1]);
    }
    tml_write_outputs_s8_dsp(acc, f, count, requant, *q, out);
  }
}

void tml_conv2d_s8_dsp(const int8_t* input, const tml_conv_shape* s, const int8_t* weights, const int32_t* bias,
                       const int32_t* requant, const tml_q8_params* params, int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  const int32_t row_length = (int32_t)s->kernel_w * s->in_c;      /* one kernel row of a filter */
  const int32_t filter_size = (int32_t)s->kernel_h * row_length; /* one filter */
  const int32_t image_row = (int32_t)s->in_w * s->in_c;
  int8_t taps[TML_CONV_DSP_GATHER_BYTES];
  for (int oy = 0; oy < s->out_h; ++oy) {
    const int iy0 = oy * s->stride_h - s->pad_top;
    int ky0, ky1;
    tml_taps_inside(iy0, s->kernel_h, s->in_h, &ky0, &ky1);
    for (int ox = 0; ox < s->out_w; ++ox) {
      const int ix0 = ox * s->stride_w - s->pad_left;
      int kx0, kx1;
      tml_taps_inside(ix0, s->kernel_w, s->in_w, &kx0, &kx1);
      /* The taps of each kernel row inside the image: one run of `run` bytes
       * from tap kx0, in the input and in each filter. */
      const int run = (kx1 - kx0) * s->in_c;
      const int rows = run > 0 ? ky1 - ky0 : 0;
      const int8_t* x = rows > 0 ? input + ((int32_t)(iy0 + ky0) * s->in_w + ix0 + kx0) * s->in_c : input;
      int8_t* const out = output + ((int32_t)oy * s->out_w + ox) * s->out_c;
      if (filter_size > TML_CONV_DSP_GATHER_BYTES) {
        tml_conv_pixel_s8_dsp(x, image_row, weights + (int32_t)ky0 * row_length + (int32_t)kx0 * s->in_c, row_length,
                              rows, run, filter_size, s->out_c, bias, requant, &q, out);
        continue;
      }
      if (rows < s->kernel_h || run < row_length) memset(taps, (int)(int8_t)q.input_zero_point, (size_t)filter_size);
      for (int r = 0; r < rows; ++r) {
        memcpy(taps + (ky0 + r) * row_length + kx0 * s->in_c, x + r * image_row, (size_t)run);
      }
      tml_rows_s8_dsp(taps, filter_size, weights, bias, s->out_c, requant, q, out);
    }
  }
}

void tml_depthwise_conv2d_s8_dsp(const int8_t* input, const tml_conv_shape* s, const int8_t* weights,
                                 const int32_t* bias, const int32_t* requant, const tml_q8_params* params,
                                 int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  const int32_t zero_point = q.input_zero_point;
  const uint32_t offset = tml_dsp_offset(zero_point);
  const int multiplier = s->out_c / s->in_c;
  const int vector_channels = multiplier == 1 ? s->out_c & ~3 : 0; /* channels done four at a time */
  for (int oy = 0; oy < s->out_h; ++oy) {
    const int iy0 = oy * s->stride_h - s->pad_top;
    int ky0, ky1;
    tml_taps_inside(iy0, s->kernel_h, s->in_h, &ky0, &ky1);
    for (int ox = 0; ox < s->out_w; ++ox) {
      const int ix0 = ox * s->stride_w - s->pad_left;
      int kx0, kx1;
      tml_taps_inside(ix0, s->kernel_w, s->in_w, &kx0, &kx1);
      int8_t* const out = output + ((int32_t)oy * s->out_w + ox) * s->out_c;
      int o = 0;
      for (; o < vector_channels; o += 4) {
        int32_t acc[4] = {0, 0, 0, 0};
        if (bias) {
          acc[0] = TML_LD_S32(&bias[o]);
          acc[1] = TML_LD_S32(&bias[o + 1]);
          acc[2] = TML_LD_S32(&bias[o + 2]);
          acc[3] = TML_LD_S32(&bias[o + 3]);
        }
        for (int ky = ky0; ky < ky1; ++ky) {
          const int8_t* x = input + ((int32_t)(iy0 + ky) * s->in_w + ix0 + kx0) * s->in_c + o;
          const int8_t* w = weights + ((int32_t)ky * s->kernel_w + kx0) * s->out_c + o;
          for (int kx = kx0; kx < kx1; ++kx, x += s->in_c, w += s->out_c) {
            const uint32_t xs = tml_dsp_load4(x), ws = tml_dsp_load4(w);
            /* Lanes: channels o and o + 2 (bytes 0 and 2), o + 1 and o + 3. */
            const uint32_t x02 = tml_dsp_sxtab16(offset, xs), x13 = tml_dsp_sxtab16_ror8(offset, xs);
            const uint32_t w02 = tml_dsp_sxtb16(ws), w13 = tml_dsp_sxtb16_ror8(ws);
            acc[0] = tml_dsp_smlabb(x02, w02, acc[0]);
            acc[2] = tml_dsp_smlatt(x02, w02, acc[2]);
            acc[1] = tml_dsp_smlabb(x13, w13, acc[1]);
            acc[3] = tml_dsp_smlatt(x13, w13, acc[3]);
          }
        }
        tml_write_outputs_s8_dsp(acc, o, 4, requant, q, out);
      }
      for (; o < s->out_c; ++o) {
        const int c = o / multiplier;
        int32_t acc = bias ? TML_LD_S32(&bias[o]) : 0;
        for (int ky = ky0; ky < ky1; ++ky) {
          for (int kx = kx0; kx < kx1; ++kx) {
            const int32_t x = input[((int32_t)(iy0 + ky) * s->in_w + ix0 + kx) * s->in_c + c];
            acc += (x - zero_point) * (int32_t)weights[((int32_t)ky * s->kernel_w + kx) * s->out_c + o];
          }
        }
        tml_write_outputs_s8_dsp(&acc, o, 1, requant, q, out);
      }
    }
  }
}
