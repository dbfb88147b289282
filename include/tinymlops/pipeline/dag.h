// Pictures of the stage graph.
#pragma once

#include <string>

#include "tinymlops/pipeline/pipeline.h"

namespace tinymlops::pipeline {

// A text tree, roots in declaration order, each stage's downstream stages
// indented below it with ├── / └──. A stage met again is printed with " (see above)"
// and not expanded twice.
std::string dag_text(const Pipeline& pipeline);

// A Mermaid flowchart: "flowchart TD", one node per stage, one edge per dependency.
std::string dag_mermaid(const Pipeline& pipeline);

}  // namespace tinymlops::pipeline
