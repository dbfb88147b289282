#include "serve/served_model.h"

#include <algorithm>

namespace tinymlops::serve {

ServedModel::ServedModel(ModelSnapshot snapshot) : snapshot_(std::move(snapshot)) {
  LoadedModel loaded = load_any_model_bytes(snapshot_.bytes, snapshot_.origin);
  metadata_ = loaded.metadata;
  description_ = loaded.description;
  width_ = metadata_.feature_names.size() * static_cast<size_t>(std::max(1, metadata_.window.window));
  idle_.push_back(std::move(loaded.predict));
}

Matrix ServedModel::predict(const Matrix& rows) {
  Predictor predictor;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      predictor = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  // All busy: one more copy of the model (the bytes loaded before, so this cannot fail).
  if (!predictor) predictor = load_any_model_bytes(snapshot_.bytes, snapshot_.origin).predict;
  Matrix outputs = predictor(rows);
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(predictor));
  return outputs;
}

nlohmann::ordered_json ServedModel::info() const {
  const ModelMetadata& m = metadata_;
  nlohmann::ordered_json info = {{"source", snapshot_.origin},
                                 {"sha256", snapshot_.sha256},
                                 {"version", snapshot_.version > 0 ? nlohmann::ordered_json(snapshot_.version) : nullptr},
                                 {"task", task_name(m.task)},
                                 {"variant", description_.value("variant", "float32")},
                                 {"width", width_},
                                 {"features", m.feature_names},
                                 {"label", m.label_name},
                                 {"labels", m.class_names},
                                 {"window", m.window.window},
                                 {"parameters", description_.value("parameters", 0)},
                                 {"macs", description_.value("macs", 0)}};
  return info;
}

}  // namespace tinymlops::serve
