#include "pipeline/graph.h"

#include <algorithm>
#include <functional>
#include <set>

#include "tinymlops/core/error.h"
#include "tinymlops/pipeline/pipeline.h"

namespace tinymlops::pipeline {

std::vector<std::vector<size_t>> downstream_of(const std::vector<std::vector<size_t>>& upstream) {
  std::vector<std::vector<size_t>> downstream(upstream.size());
  for (size_t i = 0; i < upstream.size(); ++i) {
    for (size_t from : upstream[i]) downstream[from].push_back(i);
  }
  return downstream;  // ascending: i increases in the outer loop
}

std::vector<size_t> find_cycle(const std::vector<std::vector<size_t>>& upstream) {
  const auto downstream = downstream_of(upstream);
  enum Color { kWhite, kGray, kBlack };
  std::vector<Color> color(upstream.size(), kWhite);
  std::vector<size_t> stack;
  std::vector<size_t> cycle;
  std::function<bool(size_t)> visit = [&](size_t node) {
    color[node] = kGray;
    stack.push_back(node);
    for (size_t next : downstream[node]) {
      if (color[next] == kGray) {
        auto start = std::find(stack.begin(), stack.end(), next);
        cycle.assign(start, stack.end());
        cycle.push_back(next);
        return true;
      }
      if (color[next] == kWhite && visit(next)) return true;
    }
    stack.pop_back();
    color[node] = kBlack;
    return false;
  };
  for (size_t i = 0; i < upstream.size(); ++i) {
    if (color[i] == kWhite && visit(i)) return cycle;
  }
  return {};
}

std::vector<size_t> topological_order(const Pipeline& pipeline) {
  const size_t n = pipeline.stages.size();
  const auto downstream = downstream_of(pipeline.upstream);
  std::vector<size_t> waiting(n);
  std::set<size_t> ready;
  for (size_t i = 0; i < n; ++i) {
    waiting[i] = pipeline.upstream[i].size();
    if (waiting[i] == 0) ready.insert(i);
  }
  std::vector<size_t> order;
  while (!ready.empty()) {
    const size_t next = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(next);
    for (size_t d : downstream[next]) {
      if (--waiting[d] == 0) ready.insert(d);
    }
  }
  if (order.size() != n) throw Error(ErrorKind::kInvalid, "pipeline.yaml", "the stages form a cycle");
  return order;
}

std::vector<size_t> stages_to_run(const Pipeline& pipeline, const std::vector<std::string>& targets) {
  const std::vector<size_t> order = topological_order(pipeline);
  if (targets.empty()) return order;
  std::vector<bool> needed(pipeline.stages.size(), false);
  std::vector<size_t> todo;
  for (const std::string& name : targets) {
    const size_t before = todo.size();
    for (size_t i = 0; i < pipeline.stages.size(); ++i) {  // "train" names every "train@ITEM"
      if (pipeline.stages[i].name.rfind(name + "@", 0) == 0) todo.push_back(i);
    }
    if (todo.size() == before) todo.push_back(pipeline.index_of(name));
  }
  while (!todo.empty()) {
    const size_t i = todo.back();
    todo.pop_back();
    if (needed[i]) continue;
    needed[i] = true;
    for (size_t up : pipeline.upstream[i]) todo.push_back(up);
  }
  std::vector<size_t> result;
  for (size_t i : order) {
    if (needed[i]) result.push_back(i);
  }
  return result;
}

}  // namespace tinymlops::pipeline
