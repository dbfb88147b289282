#include "interop/onnx_layout.h"

namespace tinymlops::interop {

Layout spatial_layout(const std::vector<int64_t>& d, bool channels_last) {
  Layout l;
  if (d.size() == 2) {
    if (channels_last) l = {{int(d[0]), int(d[1])}, {0, 1}};
    else l = {{int(d[1]), int(d[0])}, {1, 0}};
  } else {
    if (channels_last) l = {{int(d[0]), int(d[1]), int(d[2])}, {0, 1, 2}};
    else l = {{int(d[1]), int(d[2]), int(d[0])}, {2, 0, 1}};
  }
  return l;
}

std::vector<int64_t> flatten_order(const Layout& layout) {
  const std::vector<int64_t> onnx_dims = layout.onnx_dims();
  const int64_t size = layout.size();
  std::vector<int64_t> order(static_cast<size_t>(size));
  std::vector<int64_t> index(onnx_dims.size(), 0), ours(onnx_dims.size(), 0);
  bool identity = true;
  for (int64_t k = 0; k < size; ++k) {
    // ONNX multi-index of k -> the Model's multi-index -> the Model's flat index.
    int64_t rest = k;
    for (size_t a = onnx_dims.size(); a-- > 0;) index[a] = rest % onnx_dims[a], rest /= onnx_dims[a];
    for (size_t a = 0; a < onnx_dims.size(); ++a) ours[static_cast<size_t>(layout.axes[a])] = index[a];
    int64_t flat = 0;
    for (size_t a = 0; a < ours.size(); ++a) flat = flat * layout.dims[a] + ours[a];
    order[static_cast<size_t>(k)] = flat;
    identity = identity && flat == k;
  }
  if (identity) order.clear();
  return order;
}

}  // namespace tinymlops::interop
