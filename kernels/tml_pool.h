/* Max and average pooling over channels-last images, "valid" windows (no
 * padding). The int8 and int16 versions keep the input's scale and zero point. A global
 * average pool is an average pool whose window is the whole image. */
#ifndef TML_POOL_H
#define TML_POOL_H

#include "tml_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int in_h, in_w, channels;
  int out_h, out_w;
  int pool_h, pool_w;
  int stride_h, stride_w;
} tml_pool_shape;

void tml_max_pool_f32(const float* input, const tml_pool_shape* shape, float* output);
void tml_max_pool_s8(const int8_t* input, const tml_pool_shape* shape, int8_t* output);
void tml_avg_pool_f32(const float* input, const tml_pool_shape* shape, float* output);
/* Average of the window's int8 values, rounded half away from zero:
 *   (sum + count/2) / count for sum >= 0, (sum - count/2) / count otherwise,
 * with C's truncating division. */
void tml_avg_pool_s8(const int8_t* input, const tml_pool_shape* shape, int8_t* output);

/* int16 (zero point 0): as the int8 versions. The average sums in int32, so
 * REQUIRES pool_h * pool_w <= 65535. */
void tml_max_pool_s16(const int16_t* input, const tml_pool_shape* shape, int16_t* output);
void tml_avg_pool_s16(const int16_t* input, const tml_pool_shape* shape, int16_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TML_POOL_H */
