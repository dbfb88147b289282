// Conv2D / DepthwiseConv2D reference for the kernel tests: random geometry and
// the exact accumulator of one output, written from kernels/tml_conv.h's
// layouts (Conv2D weights[f][ky][kx][c], depthwise weights[ky][kx][c*M+m],
// channels-last images, taps outside the image skipped).
#pragma once

#include <cmath>
#include <random>
#include <vector>

#include "reference.h"
#include "tml_conv.h"

namespace tml_test {

inline tml_conv_shape conv_shape(int in_h, int in_w, int in_c, int out_h, int out_w, int out_c, int kernel_h,
                                 int kernel_w, int stride_h, int stride_w, int pad_top, int pad_left) {
  tml_conv_shape s;
  s.in_h = in_h;
  s.in_w = in_w;
  s.in_c = in_c;
  s.out_h = out_h;
  s.out_w = out_w;
  s.out_c = out_c;
  s.kernel_h = kernel_h;
  s.kernel_w = kernel_w;
  s.stride_h = stride_h;
  s.stride_w = stride_w;
  s.pad_top = pad_top;
  s.pad_left = pad_left;
  return s;
}

// Random small conv geometry with leading and trailing padding below the kernel size.
inline tml_conv_shape random_conv_shape(std::mt19937& rng, bool depthwise) {
  for (;;) {
    const int in_h = rand_int(rng, 1, 6);
    const int in_w = rand_int(rng, 1, 6);
    const int in_c = rand_int(rng, 1, 4);
    const int out_c = depthwise ? in_c * rand_int(rng, 1, 3) : rand_int(rng, 1, 4);
    const int kernel_h = rand_int(rng, 1, 3);
    const int kernel_w = rand_int(rng, 1, 3);
    const int stride_h = rand_int(rng, 1, 2);
    const int stride_w = rand_int(rng, 1, 2);
    const int pad_top = rand_int(rng, 0, kernel_h - 1);
    const int pad_left = rand_int(rng, 0, kernel_w - 1);
    const int pad_bottom = rand_int(rng, 0, kernel_h - 1);
    const int pad_right = rand_int(rng, 0, kernel_w - 1);
    const int span_h = in_h + pad_top + pad_bottom - kernel_h;
    const int span_w = in_w + pad_left + pad_right - kernel_w;
    if (span_h < 0 || span_w < 0) continue;
    return conv_shape(in_h, in_w, in_c, span_h / stride_h + 1, span_w / stride_w + 1, out_c, kernel_h, kernel_w,
                      stride_h, stride_w, pad_top, pad_left);
  }
}

inline int conv_weight_count(const tml_conv_shape& s, bool depthwise) {
  return depthwise ? s.kernel_h * s.kernel_w * s.out_c : s.out_c * s.kernel_h * s.kernel_w * s.in_c;
}

// Accumulator of output (oy, ox, o) without bias: sum (x - input_offset) * w
// over the taps inside the image; Conv2D or depthwise. Adds sum |x * w| to
// *magnitude when given.
template <typename T, typename Acc>
Acc reference_acc(const std::vector<T>& input, const tml_conv_shape& s, const std::vector<T>& weights, bool depthwise,
                  int oy, int ox, int o, Acc input_offset, double* magnitude) {
  const auto at = [](int index) { return static_cast<size_t>(index); };
  Acc acc = 0;
  for (int ky = 0; ky < s.kernel_h; ++ky) {
    for (int kx = 0; kx < s.kernel_w; ++kx) {
      const int iy = oy * s.stride_h + ky - s.pad_top;
      const int ix = ox * s.stride_w + kx - s.pad_left;
      if (iy < 0 || ix < 0 || iy >= s.in_h || ix >= s.in_w) continue;
      for (int c = 0; c < s.in_c; ++c) {
        Acc w;
        if (depthwise) {
          const int multiplier = s.out_c / s.in_c;
          if (o / multiplier != c) continue;
          w = static_cast<Acc>(weights[at((ky * s.kernel_w + kx) * s.out_c + o)]);
        } else {
          w = static_cast<Acc>(weights[at(((o * s.kernel_h + ky) * s.kernel_w + kx) * s.in_c + c)]);
        }
        const Acc x = static_cast<Acc>(input[at((iy * s.in_w + ix) * s.in_c + c)]) - input_offset;
        acc += x * w;
        if (magnitude) *magnitude += std::fabs(static_cast<double>(x) * static_cast<double>(w));
      }
    }
  }
  return acc;
}

}  // namespace tml_test
