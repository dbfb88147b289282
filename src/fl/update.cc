#include "tinymlops/fl/update.h"

#include <cmath>

#include "tinymlops/core/error.h"

namespace tinymlops::fl {

Layout layout_of(Model& model) {
  Layout layout;
  size_t offset = 0;
  for (size_t i = 0; i < model.num_layers(); ++i) {
    for (const Param* p : model.layer(i).params()) {
      size_t size = static_cast<size_t>(p->value.size());
      layout.push_back({"layers[" + std::to_string(i) + "]." + p->name, offset, size});
      offset += size;
    }
  }
  return layout;
}

size_t layout_size(const Layout& layout) {
  return layout.empty() ? 0 : layout.back().offset + layout.back().size;
}

Weights flatten_params(Model& model) {
  Weights flat;
  for (const Param* p : model.params()) flat.insert(flat.end(), p->value.data(), p->value.data() + p->value.size());
  return flat;
}

void assign_params(Model& model, const Weights& flat) {
  std::vector<Param*> params = model.params();
  size_t total = 0;
  for (const Param* p : params) total += static_cast<size_t>(p->value.size());
  if (flat.size() != total) {
    throw Error(ErrorKind::kInvalid, "",
                "weights have " + std::to_string(flat.size()) + " values; the model has " + std::to_string(total));
  }
  size_t offset = 0;
  for (Param* p : params) {
    for (Eigen::Index j = 0; j < p->value.size(); ++j) p->value[j] = flat[offset++];
  }
}

double l2_norm(const Weights& values) {
  double sum = 0;
  for (float v : values) sum += static_cast<double>(v) * v;
  return std::sqrt(sum);
}

}  // namespace tinymlops::fl
