#include "tinymlops/pipeline/dag.h"

#include <functional>

#include "pipeline/graph.h"

namespace tinymlops::pipeline {

std::string dag_text(const Pipeline& pipeline) {
  const auto downstream = downstream_of(pipeline.upstream);
  std::vector<bool> shown(pipeline.stages.size(), false);
  std::string text;
  std::function<void(size_t, const std::string&)> children = [&](size_t node, const std::string& indent) {
    for (size_t k = 0; k < downstream[node].size(); ++k) {
      const size_t child = downstream[node][k];
      const bool last = k + 1 == downstream[node].size();
      text += indent + (last ? "└── " : "├── ") + pipeline.stages[child].name;
      if (shown[child]) {
        text += " (see above)\n";
        continue;
      }
      text += "\n";
      shown[child] = true;
      children(child, indent + (last ? "    " : "│   "));
    }
  };
  for (size_t i = 0; i < pipeline.stages.size(); ++i) {
    if (!pipeline.upstream[i].empty()) continue;
    text += pipeline.stages[i].name + "\n";
    shown[i] = true;
    children(i, "");
  }
  return text;
}

std::string dag_mermaid(const Pipeline& pipeline) {
  std::string text = "flowchart TD\n";
  for (size_t i = 0; i < pipeline.stages.size(); ++i) {
    text += "  s" + std::to_string(i) + "[\"" + pipeline.stages[i].name + "\"]\n";
  }
  for (size_t i = 0; i < pipeline.stages.size(); ++i) {
    for (size_t up : pipeline.upstream[i]) text += "  s" + std::to_string(up) + " --> s" + std::to_string(i) + "\n";
  }
  return text;
}

}  // namespace tinymlops::pipeline
