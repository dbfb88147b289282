// pipeline.yaml: parsing, templating, foreach, validation errors, order and dag.
#include <gtest/gtest.h>

#include "data/error_expect.h"
#include "pipeline/project_fixture.h"
#include "tinymlops/pipeline/dag.h"
#include "tinymlops/pipeline/pipeline.h"

namespace tinymlops {
namespace {

using pipeline::load_pipeline;
using testing::catch_error;
using testing::Project;

std::vector<std::string> stage_names(const pipeline::Pipeline& p) {
  std::vector<std::string> names;
  for (const auto& s : p.stages) names.push_back(s.name);
  return names;
}

// Expects load_pipeline to fail at `location` with `fragment` in the message.
void expect_load_error(const Project& project, const std::string& location, const std::string& fragment) {
  auto error = catch_error([&] { load_pipeline(project.root()); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->location(), location) << error->what();
  EXPECT_CONTAINS(error->message(), fragment);
}

TEST(PipelineLoad, ParsesStagesWithAllKeys) {
  Project p;
  p.write("params.yaml", "train:\n  epochs: 3\n  lr: 0.5\nsplit: 0.2\n");
  p.write("data.csv", "x\n1\n");
  p.write("other.yaml", "seed: 7\n");
  p.write("pipeline.yaml",
          "stages:\n"
          "  prepare:\n"
          "    cmd: cp data.csv prepared.csv\n"
          "    deps: [data.csv]\n"
          "    params: [split]\n"
          "    outs: [prepared.csv]\n"
          "  train:\n"
          "    desc: trains\n"
          "    cmd:\n"
          "      - echo ${train.epochs} > model.txt\n"
          "      - echo '{\"acc\":1}' > m.json\n"
          "    deps: [prepared.csv]\n"
          "    params: [train.epochs, 'other.yaml:seed', {other.yaml: [seed]}]\n"
          "    outs: [model.txt]\n"
          "    metrics: [m.json]\n"
          "    plots: [curve.csv]\n"
          "  sub:\n"
          "    wdir: sub\n"
          "    cmd: cat ../model.txt > out.txt\n"
          "    deps: [../model.txt]\n"
          "    outs: [out.txt]\n");
  const auto pl = load_pipeline(p.root());
  ASSERT_EQ(stage_names(pl), (std::vector<std::string>{"prepare", "train", "sub"}));
  const auto& train = pl.stages[1];
  EXPECT_EQ(train.cmd, "echo 3 > model.txt && echo '{\"acc\":1}' > m.json");
  EXPECT_EQ(train.params.size(), 3u);
  EXPECT_EQ(train.params[0], (pipeline::ParamRef{"params.yaml", "train.epochs"}));
  EXPECT_EQ(train.params[1], (pipeline::ParamRef{"other.yaml", "seed"}));
  EXPECT_EQ(train.all_outputs(), (std::vector<std::string>{"model.txt", "m.json", "curve.csv"}));
  EXPECT_EQ(train.location, "pipeline.yaml:7:3");
  const auto& sub = pl.stages[2];
  EXPECT_EQ(sub.wdir, "sub");
  EXPECT_EQ(sub.deps, (std::vector<std::string>{"model.txt"}));
  EXPECT_EQ(sub.outs, (std::vector<std::string>{"sub/out.txt"}));
  EXPECT_EQ(pl.upstream[1], (std::vector<size_t>{0}));
  EXPECT_EQ(pl.upstream[2], (std::vector<size_t>{1}));
}

TEST(PipelineLoad, ForeachOverListsMapsAndParams) {
  Project p;
  p.write("params.yaml", "models: [small, large]\nsizes:\n  tiny: {units: 4}\n  big: {units: 64}\n");
  p.write("pipeline.yaml",
          "stages:\n"
          "  train:\n"
          "    foreach: ${models}\n"
          "    do:\n"
          "      cmd: echo ${item} > model-${item}.txt\n"
          "      outs:\n        - model-${item}.txt\n"
          "  build:\n"
          "    foreach: ${sizes}\n"
          "    do:\n"
          "      cmd: echo ${key} ${item.units} > ${key}.txt\n"
          "      outs: ['${key}.txt']\n"
          "  cfg:\n"
          "    foreach:\n"
          "      - {name: a, n: 1}\n"
          "      - {name: b, n: 2}\n"
          "    do:\n"
          "      cmd: echo ${item.n} > ${item.name}.cfg\n"
          "      outs: [\"${item.name}.cfg\"]\n");
  const auto pl = load_pipeline(p.root());
  EXPECT_EQ(stage_names(pl), (std::vector<std::string>{"train@small", "train@large", "build@tiny", "build@big",
                                                       "cfg@0", "cfg@1"}));
  EXPECT_EQ(pl.stages[1].cmd, "echo large > model-large.txt");
  EXPECT_EQ(pl.stages[3].cmd, "echo big 64 > big.txt");
  EXPECT_EQ(pl.stages[5].outs, (std::vector<std::string>{"b.cfg"}));
  std::vector<std::string> group;
  for (size_t i : pipeline::stages_to_run(pl, {"build"})) group.push_back(pl.stages[i].name);
  EXPECT_EQ(group, (std::vector<std::string>{"build@tiny", "build@big"}));
}

TEST(PipelineLoad, TopologicalOrderIsDeterministicAndSubsetsIncludeUpstream) {
  Project p;
  p.write("pipeline.yaml",
          "stages:\n"
          "  report: {cmd: cat b.txt c.txt > r.txt, deps: [b.txt, c.txt], outs: [r.txt]}\n"
          "  c: {cmd: cat a.txt > c.txt, deps: [a.txt], outs: [c.txt]}\n"
          "  b: {cmd: cat a.txt > b.txt, deps: [a.txt], outs: [b.txt]}\n"
          "  a: {cmd: echo a > a.txt, outs: [a.txt]}\n"
          "  lone: {cmd: echo x > x.txt, outs: [x.txt]}\n");
  const auto pl = load_pipeline(p.root());
  std::vector<std::string> order;
  for (size_t i : pipeline::topological_order(pl)) order.push_back(pl.stages[i].name);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "c", "b", "report", "lone"}));
  std::vector<std::string> subset;
  for (size_t i : pipeline::stages_to_run(pl, {"b"})) subset.push_back(pl.stages[i].name);
  EXPECT_EQ(subset, (std::vector<std::string>{"a", "b"}));
  auto error = catch_error([&] { pipeline::stages_to_run(pl, {"nope"}); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind(), ErrorKind::kUsage);
  EXPECT_CONTAINS(error->message(), "no stage 'nope'");

  EXPECT_EQ(pipeline::dag_text(pl),
            "a\n"
            "├── c\n"
            "│   └── report\n"
            "└── b\n"
            "    └── report (see above)\n"
            "lone\n");
  EXPECT_EQ(pipeline::dag_mermaid(pl),
            "flowchart TD\n"
            "  s0[\"report\"]\n  s1[\"c\"]\n  s2[\"b\"]\n  s3[\"a\"]\n  s4[\"lone\"]\n"
            "  s1 --> s0\n  s2 --> s0\n  s3 --> s1\n  s3 --> s2\n");
}

TEST(PipelineLoad, DirectoryOutputsFeedDepsInsideThem) {
  Project p;
  p.write("pipeline.yaml",
          "stages:\n"
          "  make: {cmd: mkdir -p d && echo 1 > d/f, outs: [d/]}\n"
          "  use: {cmd: cat d/f > g, deps: [d/f], outs: [g]}\n");
  const auto pl = load_pipeline(p.root());
  EXPECT_EQ(pl.stages[0].outs, (std::vector<std::string>{"d"}));
  EXPECT_EQ(pl.upstream[1], (std::vector<size_t>{0}));
}

TEST(PipelineLoad, ErrorsNameFileLineAndColumn) {
  Project p;
  p.write("params.yaml", "lr: 0.1\nlist: [1, 2]\n");
  p.write("in.txt", "x");

  p.write("pipeline.yaml", "stages:\n  a:\n    cmd: [unclosed\n");
  auto malformed = catch_error([&] { load_pipeline(p.root()); });
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->kind(), ErrorKind::kParse);
  EXPECT_EQ(malformed->location().rfind("pipeline.yaml:", 0), 0u);

  p.write("pipeline.yaml", "stages:\n  a:\n    cmd: echo\n    outs: [o-${lr}.txt]\n");
  auto flow = catch_error([&] { load_pipeline(p.root()); });
  ASSERT_TRUE(flow);
  EXPECT_CONTAINS(flow->what(), "pipeline.yaml:4:");
  EXPECT_CONTAINS(flow->message(), "quote entries with ${...} inside [ ] or { }");

  p.write("pipeline.yaml", "stage:\n  a: {cmd: x}\n");
  expect_load_error(p, "pipeline.yaml:1:1", "unknown key 'stage'");

  p.write("pipeline.yaml", "stages:\n  a:\n    cmd: echo\n    out: [x]\n");
  expect_load_error(p, "pipeline.yaml:4:5", "unknown key 'out' in stage 'a'");

  p.write("pipeline.yaml", "stages:\n  a:\n    deps: [in.txt]\n");
  expect_load_error(p, "pipeline.yaml:2:3", "has no 'cmd'");

  p.write("pipeline.yaml", "stages:\n  a:\n    cmd: echo ${lr} ${missing.key}\n");
  expect_load_error(p, "pipeline.yaml:3:10", "undefined variable '${missing.key}'");

  p.write("pipeline.yaml", "stages:\n  a:\n    cmd: echo ${list}\n");
  expect_load_error(p, "pipeline.yaml:3:10", "is a list");

  p.write("pipeline.yaml", "stages:\n  a:\n    cmd: echo\n    params: [lr, train.epochs]\n");
  expect_load_error(p, "pipeline.yaml:4:18", "params key 'train.epochs' is not in params.yaml");

  p.write("pipeline.yaml", "stages:\n  a:\n    cmd: echo\n    params: ['nofile.yaml:lr']\n");
  expect_load_error(p, "pipeline.yaml:4:14", "params file 'nofile.yaml' does not exist");

  p.write("pipeline.yaml", "stages:\n  a:\n    cmd: echo\n    deps: [in.txt, ghost.csv]\n");
  expect_load_error(p, "pipeline.yaml:4:20", "dep 'ghost.csv' of stage 'a' does not exist and no stage produces it");

  p.write("pipeline.yaml",
          "stages:\n  a:\n    cmd: echo\n    outs: [o.txt]\n  b:\n    cmd: echo\n    outs: [./o.txt]\n");
  expect_load_error(p, "pipeline.yaml:7:12", "output 'o.txt' of stage 'b' is also an output of stage 'a'");

  p.write("pipeline.yaml", "stages:\n  a:\n    cmd: echo\n    outs: [d]\n  b:\n    cmd: echo\n    outs: [d/x]\n");
  expect_load_error(p, "pipeline.yaml:7:12", "overlaps output 'd' of stage 'a'");

  p.write("pipeline.yaml", "stages:\n  a:\n    cmd: echo\n    outs: [../escape.txt]\n");
  expect_load_error(p, "pipeline.yaml:4:12", "outside the project");

  p.write("pipeline.yaml",
          "stages:\n"
          "  a: {cmd: cat c > a, deps: [c], outs: [a]}\n"
          "  b: {cmd: cat a > b, deps: [a], outs: [b]}\n"
          "  c: {cmd: cat b > c, deps: [b], outs: [c]}\n");
  expect_load_error(p, "pipeline.yaml:2:3", "the stages form a cycle: a -> b -> c -> a");

  p.write("pipeline.yaml", "stages:\n  a: {cmd: cat a > a, deps: [a], outs: [a]}\n");
  expect_load_error(p, "pipeline.yaml:2:3", "cycle: a -> a");

  p.write("pipeline.yaml", "stages:\n  t:\n    foreach: [x, y]\n    cmd: echo\n");
  expect_load_error(p, "pipeline.yaml:4:5", "unknown key 'cmd' next to foreach");

  p.write("pipeline.yaml", "stages:\n  t:\n    foreach: ${lr}\n    do: {cmd: echo}\n");
  expect_load_error(p, "pipeline.yaml:3:14", "foreach needs a non-empty list or mapping");

  p.write("pipeline.yaml", "stages:\n  t@x: {cmd: echo}\n");
  expect_load_error(p, "pipeline.yaml:2:3", "stage name 't@x'");

  p.write("pipeline.yaml", "stages:\n  t:\n    foreach: [a]\n    do: {cmd: echo}\n  t@a: {cmd: echo}\n");
  expect_load_error(p, "pipeline.yaml:5:3", "stage name 't@a'");

  p.write("pipeline.yaml", "stages:\n  a:\n    cmd: echo\n    deps: {x: 1}\n");
  expect_load_error(p, "pipeline.yaml:4:11", "'deps' must be a list of strings");
}

TEST(PipelineLoad, FindsTheProjectRootUpward) {
  Project p;
  p.write("pipeline.yaml", "stages:\n  a: {cmd: echo}\n");
  p.write("deep/er/file", "");
  EXPECT_EQ(pipeline::find_project_root(p.root() / "deep/er"), p.root());
  auto error = catch_error([] { pipeline::find_project_root("/"); });
  ASSERT_TRUE(error);
  EXPECT_CONTAINS(error->message(), "no pipeline.yaml");
}

}  // namespace
}  // namespace tinymlops
