#include "tinymlops/nn/model.h"

#include "tinymlops/core/error.h"

namespace tinymlops {

void Model::build(Initializer init, uint64_t seed) {
  Rng rng(seed);
  Shape shape = input_shape_;
  for (size_t i = 0; i < layers_.size(); ++i) {
    try {
      layers_[i]->build(shape, init, rng);
    } catch (const Error& e) {
      throw Error(e.kind(),
                  "layers[" + std::to_string(i) + "] (" + layer_kind_name(layers_[i]->kind()) + ")",
                  e.message() + " (input shape " + shape.to_string() + ")");
    }
    shape = layers_[i]->output_shape();
  }
}

Shape Model::output_shape() const {
  return layers_.empty() ? input_shape_ : layers_.back()->output_shape();
}

std::vector<Param*> Model::params() {
  std::vector<Param*> all;
  for (auto& layer : layers_) {
    for (Param* p : layer->params()) all.push_back(p);
  }
  return all;
}

int64_t Model::trainable_parameter_count() const {
  int64_t count = 0;
  for (const auto& layer : layers_) {
    for (Param* p : layer->params()) count += p->trainable ? p->value.size() : 0;
  }
  return count;
}

int64_t Model::parameter_count() const {
  int64_t count = 0;
  for (const auto& layer : layers_) {
    for (Param* p : layer->params()) count += p->value.size();
  }
  return count;
}

int64_t Model::macs() const {
  int64_t total = 0;
  for (const auto& layer : layers_) total += layer->macs();
  return total;
}

void Model::forward(const Matrix& input, const ForwardContext& context, size_t end,
                    std::vector<Matrix>* activations) {
  activations->resize(end + 1);
  (*activations)[0] = input;
  for (size_t i = 0; i < end; ++i) {
    layers_[i]->forward((*activations)[i], (*activations)[i + 1], context);
    if (context.after_layer && *context.after_layer) (*context.after_layer)(i, (*activations)[i + 1]);
  }
}

Matrix Model::predict(const Matrix& raw_features) {
  constexpr Eigen::Index kChunk = 1024;
  const Eigen::Index n = raw_features.rows();
  Matrix outputs(n, output_shape().size());
  std::vector<Matrix> activations;
  ForwardContext inference;
  for (Eigen::Index start = 0; start < n; start += kChunk) {
    Eigen::Index rows = std::min(kChunk, n - start);
    Matrix chunk = raw_features.middleRows(start, rows);
    metadata.normalization.apply(chunk);
    forward(chunk, inference, layers_.size(), &activations);
    outputs.middleRows(start, rows) = activations.back();
  }
  return outputs;
}

}  // namespace tinymlops
