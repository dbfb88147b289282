/* The int8 dot products the Cortex-M DSP kernels share (tml_arm_dsp.h):
 * rows of weights times (x - zero_point), four inputs per step, for the
 * fully-connected and the convolution kernels. Each adds to its accumulators in
 * another order than the reference kernels, which gives the same int32 as long
 * as no partial sum overflows (DeployModel::validate bounds every sum). */
#ifndef TML_DOT_DSP_H
#define TML_DOT_DSP_H

#include "tml_arm_dsp.h"

/* -zero_point in both 16-bit lanes: SXTAB16 adds it to two input bytes at
 * once, giving x - zero_point in [-255, 255]. */
static inline uint32_t tml_dsp_offset(int32_t zero_point) {
  return (uint32_t)(uint16_t)(-zero_point) * 0x00010001u;
}

/* Four inputs read as one word, widened to the pairs of (x - zero_point) of
 * bytes 0 and 2 (*x02) and of bytes 1 and 3 (*x13); `offset` holds
 * -zero_point in both lanes, and x - zero_point lies in [-255, 255]. */
static inline void tml_widen_inputs(const int8_t* x, uint32_t offset, uint32_t* x02, uint32_t* x13) {
  const uint32_t xs = tml_dsp_load4(x);
  *x02 = tml_dsp_sxtab16(offset, xs);
  *x13 = tml_dsp_sxtab16_ror8(offset, xs);
}

/* acc + the four products of the weight bytes at `w` with the widened inputs:
 * each weight word widened the same way (without the offset), so one SMLAD
 * adds two products. */
static inline int32_t tml_mac4(const int8_t* w, uint32_t x02, uint32_t x13, int32_t acc) {
  const uint32_t ws = tml_dsp_load4(w);
  acc = tml_dsp_smlad(tml_dsp_sxtb16(ws), x02, acc);
  return tml_dsp_smlad(tml_dsp_sxtb16_ror8(ws), x13, acc);
}

/* Four inputs times four rows: acc0..acc3 += the products of the four inputs
 * at *x with the four weights of rows 0 and 1 at *row0 and *row0 + n, rows 2
 * and 3 at *row2 and *row2 + n (n - 4 in `stride_less_4`); advances the three
 * pointers by four bytes. On Cortex-M, 25 instructions with the loop for 16
 * multiply-accumulates: written out so that the 13 values it keeps fit the
 * registers, where GCC's own choice spilled some to the stack each step. Two
 * statements of at most 10 operands each, so that they also build at -O0 and
 * -Os, where r7 holds the frame. */
static inline void tml_mac4x4(const int8_t** x, const int8_t** row0, const int8_t** row2, int32_t stride_less_4,
                              uint32_t offset, int32_t* acc0, int32_t* acc1, int32_t* acc2, int32_t* acc3) {
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
/* acc0 += the four weights at row (advanced by 4) times the inputs, acc1 += the
 * four at row + stride + 4 times the inputs. */
#define TML_ASM_TWO_ROWS                          \
  "ldr     %[word], [%[row]], #4\n\t"             \
  "sxtb16  %[pair], %[word]\n\t"                  \
  "smlad   %[acc0], %[pair], %[x02], %[acc0]\n\t" \
  "sxtb16  %[word], %[word], ror #8\n\t"          \
  "smlad   %[acc0], %[word], %[x13], %[acc0]\n\t" \
  "ldr     %[word], [%[row], %[stride]]\n\t"      \
  "sxtb16  %[pair], %[word]\n\t"                  \
  "smlad   %[acc1], %[pair], %[x02], %[acc1]\n\t" \
  "sxtb16  %[word], %[word], ror #8\n\t"          \
  "smlad   %[acc1], %[word], %[x13], %[acc1]"
  uint32_t x02, x13, word, pair;
  __asm__("ldr     %[word], [%[x]], #4\n\t"
          "sxtab16 %[x02], %[offset], %[word]\n\t"
          "sxtab16 %[x13], %[offset], %[word], ror #8\n\t" TML_ASM_TWO_ROWS
          : [x] "+r"(*x), [row] "+r"(*row0), [acc0] "+r"(*acc0), [acc1] "+r"(*acc1), [x02] "=&r"(x02),
            [x13] "=&r"(x13), [word] "=&r"(word), [pair] "=&r"(pair)
          : [offset] "r"(offset), [stride] "r"(stride_less_4)
          : "memory");
  __asm__(TML_ASM_TWO_ROWS
          : [row] "+r"(*row2), [acc0] "+r"(*acc2), [acc1] "+r"(*acc3), [word] "=&r"(word), [pair] "=&r"(pair)
          : [x02] "r"(x02), [x13] "r"(x13), [stride] "r"(stride_less_4)
          : "memory");
#undef TML_ASM_TWO_ROWS
#else
  uint32_t x02, x13;
  tml_widen_inputs(*x, offset, &x02, &x13);
  *acc0 = tml_mac4(*row0, x02, x13, *acc0);
  *acc1 = tml_mac4(*row0 + stride_less_4 + 4, x02, x13, *acc1);
  *acc2 = tml_mac4(*row2, x02, x13, *acc2);
  *acc3 = tml_mac4(*row2 + stride_less_4 + 4, x02, x13, *acc3);
  *x += 4;
  *row0 += 4;
  *row2 += 4;
#endif
}

/* Adds row0 . (x - zero_point) to *acc0 and row1 . (x - zero_point) to *acc1,
 * four inputs per step. The products are summed in another order than the
 * reference's, which gives the same int32 as long as no partial sum overflows
 * (as for every path here). */
static inline void tml_dot_two_rows_s8_dsp(const int8_t* x, const int8_t* row0, const int8_t* row1, int n,
                                           int32_t zero_point, uint32_t offset, int32_t* acc0, int32_t* acc1) {
  int32_t a0 = *acc0, a1 = *acc1;
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t x02, x13;
    tml_widen_inputs(x + i, offset, &x02, &x13);
    a0 = tml_mac4(row0 + i, x02, x13, a0);
    a1 = tml_mac4(row1 + i, x02, x13, a1);
  }
  for (; i < n; ++i) {
    const int32_t xi = (int32_t)x[i] - zero_point;
    a0 += xi * (int32_t)row0[i];
    a1 += xi * (int32_t)row1[i];
  }
  *acc0 = a0;
  *acc1 = a1;
}

/* acc[k] += row_k . (x - zero_point) over n >= 0 inputs, for the four rows
 * row_k = row0 + k * row_stride (k = 0..3); `offset` holds -zero_point in both
 * lanes. The rows and x may start at any byte. */
static inline void tml_dot_four_rows_s8_dsp(const int8_t* x, const int8_t* row0, int32_t row_stride, int n,
                                            int32_t zero_point, uint32_t offset, int32_t acc[4]) {
  const int8_t* const end = x + (n & ~3);
  const int8_t* row2 = row0 + 2 * row_stride; /* rows 2 and 3 at row2, row2 + row_stride */
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  int i;
  while (x != end) tml_mac4x4(&x, &row0, &row2, row_stride - 4, offset, &a0, &a1, &a2, &a3);
  for (i = 0; i < (n & 3); ++i) {
    const int32_t xi = (int32_t)x[i] - zero_point;
    a0 += xi * (int32_t)row0[i];
    a1 += xi * (int32_t)row0[row_stride + i];
    a2 += xi * (int32_t)row2[i];
    a3 += xi * (int32_t)row2[row_stride + i];
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

/* output[first + k] = the int8 output of acc[k], k < count. */
static inline void tml_write_outputs_s8_dsp(const int32_t* acc, int first, int count, const int32_t* requant,
                                            tml_q8_params q, int8_t* output) {
  int k;
  if (q.act_min == -128 && q.act_max == 127) {
    for (k = 0; k < count; ++k) {
      output[first + k] = tml_dsp_output_s8_full_range(acc[k], TML_LD_S32(&requant[first + k]), q.output_zero_point);
    }
    return;
  }
  for (k = 0; k < count; ++k) {
    output[first + k] = tml_dsp_output_s8(acc[k], TML_LD_S32(&requant[first + k]), &q);
  }
}

/* The fully-connected int8 layer of tml_fully_connected_s8_dsp, with its
 * parameters already read into q: output[o] for o < out_features from the
 * rows of n weights at weights + o * n and the n inputs at x. */
static inline void tml_rows_s8_dsp(const int8_t* x, int n, const int8_t* weights, const int32_t* bias,
                                   int out_features, const int32_t* requant, tml_q8_params q, int8_t* output) {
  const int32_t zero_point = q.input_zero_point;
  const uint32_t offset = tml_dsp_offset(zero_point);
  int o = 0;
  /* Four outputs at a time. */
  for (; o + 4 <= out_features; o += 4) {
    /* `sums` stays in registers; `acc`, whose address the output loop takes,
     * is written once, after the asm statements that clobber memory. */
    int32_t sums[4] = {0, 0, 0, 0}, acc[4];
    if (bias) {
      sums[0] = TML_LD_S32(&bias[o]);
      sums[1] = TML_LD_S32(&bias[o + 1]);
      sums[2] = TML_LD_S32(&bias[o + 2]);
      sums[3] = TML_LD_S32(&bias[o + 3]);
    }
    tml_dot_four_rows_s8_dsp(x, weights + (int32_t)o * n, n, n, zero_point, offset, sums);
    memcpy(acc, sums, sizeof acc);
    tml_write_outputs_s8_dsp(acc, o, 4, requant, q, output);
  }
  /* The last one to three, two at a time; an odd last output pairs with
   * itself, its second sum not used. */
  for (; o < out_features; o += 2) {
    const int o1 = o + 1 < out_features ? o + 1 : o;
    int32_t acc[2];
    acc[0] = bias ? TML_LD_S32(&bias[o]) : 0;
    acc[1] = bias ? TML_LD_S32(&bias[o1]) : 0;
    tml_dot_two_rows_s8_dsp(x, weights + (int32_t)o * n, weights + (int32_t)o1 * n, n, zero_point, offset,
                            &acc[0], &acc[1]);
    tml_write_outputs_s8_dsp(acc, o, o1 - o + 1, requant, q, output);
  }
}

#endif /* TML_DOT_DSP_H */
