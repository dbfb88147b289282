// Static memory planning: every activation tensor of a DeployModel gets an
// offset in one arena, so that generated code needs no heap.
//
// A tensor is live from the op that writes it (the model input: from before
// op 0) to the last op that reads it. Two tensors live at the same time never
// share bytes. Offsets are aligned to kArenaAlignment so that float and int32
// views are aligned on every target.
#pragma once

#include <cstdint>
#include <vector>

#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

inline constexpr int64_t kArenaAlignment = 4;

struct TensorPlacement {
  int tensor = -1;
  int64_t offset = 0, bytes = 0;
  int first_op = 0, last_op = 0;  // live over ops [first_op, last_op]; the input starts at -1
};

struct MemoryPlan {
  std::vector<TensorPlacement> placements;  // activations only, in tensor order
  int64_t arena_bytes = 0;                  // the plan's size
  // max over ops of the bytes live during that op: no plan can be smaller.
  int64_t lower_bound_bytes = 0;

  const TensorPlacement& placement_of(int tensor) const;  // REQUIRES an activation tensor
};

// Greedy by size: tensors in decreasing size (ties by index), each at the
// lowest aligned offset that overlaps no already placed tensor live at the same
// time. Deterministic.
MemoryPlan plan_memory(const DeployModel& model);

}  // namespace tinymlops
