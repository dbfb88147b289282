#include "tinymlops/codegen/memory_plan.h"

#include <algorithm>

#include "tinymlops/core/error.h"

namespace tinymlops {

namespace {

int64_t aligned(int64_t bytes) { return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment; }

bool overlap_in_time(const TensorPlacement& a, const TensorPlacement& b) {
  return a.first_op <= b.last_op && b.first_op <= a.last_op;
}

// Activation tensors with their lifetimes, in tensor order.
std::vector<TensorPlacement> lifetimes(const DeployModel& model) {
  std::vector<int> first(model.tensors.size(), -2), last(model.tensors.size(), -2);
  first[static_cast<size_t>(model.input)] = -1;
  last[static_cast<size_t>(model.input)] = -1;
  for (size_t i = 0; i < model.ops.size(); ++i) {
    const DeployOp& op = model.ops[i];
    const int step = static_cast<int>(i);
    if (first[static_cast<size_t>(op.output)] == -2) first[static_cast<size_t>(op.output)] = step;
    last[static_cast<size_t>(op.output)] = std::max(last[static_cast<size_t>(op.output)], step);
    for (int input : op.inputs) {
      if (!model.tensors[static_cast<size_t>(input)].is_constant()) last[static_cast<size_t>(input)] = step;
    }
  }
  // The output is read by the caller after the last op.
  const int end = static_cast<int>(model.ops.size());
  last[static_cast<size_t>(model.output)] = end;
  std::vector<TensorPlacement> result;
  for (size_t t = 0; t < model.tensors.size(); ++t) {
    const DeployTensor& tensor = model.tensors[t];
    if (tensor.is_constant() || first[t] == -2) continue;
    TensorPlacement p;
    p.tensor = static_cast<int>(t);
    p.bytes = data_bytes(tensor.dtype, tensor.size());
    p.first_op = first[t];
    p.last_op = last[t];
    result.push_back(p);
  }
  return result;
}

}  // namespace

const TensorPlacement& MemoryPlan::placement_of(int tensor) const {
  for (const TensorPlacement& p : placements) {
    if (p.tensor == tensor) return p;
  }
  throw Error(ErrorKind::kInvalid, "memory plan", "tensor " + std::to_string(tensor) + " is not an activation");
}

MemoryPlan plan_memory(const DeployModel& model) {
  MemoryPlan plan;
  plan.placements = lifetimes(model);
  std::vector<size_t> order(plan.placements.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return plan.placements[a].bytes > plan.placements[b].bytes; });
  std::vector<size_t> placed;
  for (size_t index : order) {
    TensorPlacement& p = plan.placements[index];
    // Candidate offsets: 0 and the aligned end of every conflicting tensor;
    // the lowest that fits wins.
    std::vector<int64_t> candidates{0};
    for (size_t other : placed) {
      const TensorPlacement& q = plan.placements[other];
      if (overlap_in_time(p, q)) candidates.push_back(aligned(q.offset + q.bytes));
    }
    std::sort(candidates.begin(), candidates.end());
    for (int64_t offset : candidates) {
      bool fits = true;
      for (size_t other : placed) {
        const TensorPlacement& q = plan.placements[other];
        if (overlap_in_time(p, q) && offset < q.offset + q.bytes && q.offset < offset + p.bytes) {
          fits = false;
          break;
        }
      }
      if (fits) {
        p.offset = offset;
        break;
      }
    }
    placed.push_back(index);
    plan.arena_bytes = std::max(plan.arena_bytes, aligned(p.offset + p.bytes));
  }
  for (int step = -1; step <= static_cast<int>(model.ops.size()); ++step) {
    int64_t live = 0;
    for (const TensorPlacement& p : plan.placements) {
      if (p.first_op <= step && step <= p.last_op) live += p.bytes;
    }
    plan.lower_bound_bytes = std::max(plan.lower_bound_bytes, live);
  }
  return plan;
}

}  // namespace tinymlops
