// Layout bookkeeping of the ONNX importer: ONNX images are channels-first,
// the Model is channels-last, and the values keep their order in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tinymlops::interop {

struct Layout {
  std::vector<int> dims;  // the Model's shape, channels-last
  std::vector<int> axes;  // ONNX axis i (after batch) is the Model's axis axes[i]
  int64_t size() const {
    int64_t n = 1;
    for (int d : dims) n *= d;
    return n;
  }
  int rank() const { return static_cast<int>(dims.size()); }
  bool channels_first() const {
    if (rank() == 2) return axes == std::vector<int>{1, 0};
    if (rank() == 3) return axes == std::vector<int>{2, 0, 1};
    return false;
  }
  std::vector<int64_t> onnx_dims() const {
    std::vector<int64_t> d;
    for (int a : axes) d.push_back(dims[static_cast<size_t>(a)]);
    return d;
  }
};

// Channels-last layout of an ONNX shape (without batch) given as channels-first
// ([C, L] or [C, H, W]) or, when `channels_last`, as [L, C] / [H, W, C].
Layout spatial_layout(const std::vector<int64_t>& d, bool channels_last);

// Flattening to ONNX's order: entry k is the Model's flat index of ONNX flat
// index k; empty when the two orders agree.
std::vector<int64_t> flatten_order(const Layout& layout);

}  // namespace tinymlops::interop
