#include "tml_fully_connected_dsp.h"

#include "tml_arm_dsp.h"

/* Adds row0 . (x - zero_point) to *acc0 and row1 . (x - zero_point) to *acc1.
 * Each step reads four inputs as one word and widens them to two pairs of
 * (x - zero_point), bytes 0 and 2 and bytes 1 and 3; each weight word the same
 * way without the offset, so one SMLAD adds two products. The products are
 * summed in another order than the reference's, which gives the same int32 as
 * long as no partial sum overflows. */
static void tml_dot_two_rows_s8_dsp(const int8_t* x, const int8_t* row0, const int8_t* row1, int n,
                                    int32_t zero_point, int32_t* acc0, int32_t* acc1) {
  /* -zero_point in both lanes; x - zero_point lies in [-255, 255]. */
  const uint32_t offset = (uint32_t)(uint16_t)(-zero_point) * 0x00010001u;
  int32_t a0 = *acc0, a1 = *acc1;
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t xs = tml_dsp_load4(x + i);
    const uint32_t x02 = tml_dsp_sxtab16(offset, xs);
    const uint32_t x13 = tml_dsp_sxtab16_ror8(offset, xs);
    const uint32_t w0 = tml_dsp_load4(row0 + i);
    a0 = tml_dsp_smlad(tml_dsp_sxtb16(w0), x02, a0);
    a0 = tml_dsp_smlad(tml_dsp_sxtb16_ror8(w0), x13, a0);
    const uint32_t w1 = tml_dsp_load4(row1 + i);
    a1 = tml_dsp_smlad(tml_dsp_sxtb16(w1), x02, a1);
    a1 = tml_dsp_smlad(tml_dsp_sxtb16_ror8(w1), x13, a1);
  }
  for (; i < n; ++i) {
    const int32_t xi = (int32_t)x[i] - zero_point;
    a0 += xi * (int32_t)row0[i];
    a1 += xi * (int32_t)row1[i];
  }
  *acc0 = a0;
  *acc1 = a1;
}

void tml_fully_connected_s8_dsp(const int8_t* input, int in_features, const int8_t* weights, const int32_t* bias,
                                int out_features, const int32_t* requant, const tml_q8_params* params,
                                int8_t* output) {
  const tml_q8_params q = tml_load_q8_params(params);
  for (int o = 0; o < out_features; o += 2) {
    /* An odd last output pairs with itself; its second sum is not used. */
    const int o1 = o + 1 < out_features ? o + 1 : o;
    int32_t acc0 = bias ? TML_LD_S32(&bias[o]) : 0;
    int32_t acc1 = bias ? TML_LD_S32(&bias[o1]) : 0;
    tml_dot_two_rows_s8_dsp(input, weights + (int32_t)o * in_features, weights + (int32_t)o1 * in_features,
                            in_features, q.input_zero_point, &acc0, &acc1);
    output[o] = tml_output_s8(acc0, tml_load_requant(requant, o), &q);
    if (o1 != o) output[o1] = tml_output_s8(acc1, tml_load_requant(requant, o1), &q);
  }
}
