// Graph algorithms over Pipeline::upstream (internal to src/pipeline).
#pragma once

#include <cstddef>
#include <vector>

namespace tinymlops::pipeline {

// downstream[i]: the stages that depend on stage i, ascending.
std::vector<std::vector<size_t>> downstream_of(const std::vector<std::vector<size_t>>& upstream);

// A cycle as stage indices in flow order, the first repeated at the end
// ({a, b, a}), or empty when the graph is acyclic. Deterministic: the search
// starts from the stages in index order.
std::vector<size_t> find_cycle(const std::vector<std::vector<size_t>>& upstream);

}  // namespace tinymlops::pipeline
