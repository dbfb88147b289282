// The job behind `tinymlops inspect` for a trained model (runtime/any_model.h
// has the same for a deploy model).
#pragma once

#include <nlohmann/json.hpp>

#include "tinymlops/nn/model.h"

namespace tinymlops {

// What `inspect` shows: input/output shapes, per-layer kind, config, output
// shape, parameters and MACs, totals "params" (trainable), "parameters" (all),
// "weight_bytes" (float32 bytes of all tensors), "macs", task, classes,
// normalization and provenance.
nlohmann::ordered_json describe_model(Model& model);

}  // namespace tinymlops
