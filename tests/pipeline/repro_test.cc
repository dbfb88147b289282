// repro: skipping, rerunning on changes, run cache, parallelism, failures, --dry.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "data/error_expect.h"
#include "pipeline/project_fixture.h"
#include "tinymlops/core/hash.h"
#include "tinymlops/pipeline/lock.h"
#include "tinymlops/pipeline/params.h"

namespace tinymlops {
namespace {

using pipeline::ReproOptions;
using pipeline::StageAction;
using testing::Project;
using V = std::vector<std::string>;

// Two stages; each run appends a line to runs-<stage>.log (outside the outputs).
void write_two_stage_project(const Project& p) {
  p.write("params.yaml", "train:\n  epochs: 3  # how long\n  lr: 0.5\n");
  p.write("data.csv", "x\n1\n2\n");
  p.write("pipeline.yaml",
          "stages:\n"
          "  prepare:\n"
          "    cmd: echo run >> runs-prepare.log && cp data.csv prepared.csv\n"
          "    deps: [data.csv]\n"
          "    outs: [prepared.csv]\n"
          "  train:\n"
          "    cmd: echo run >> runs-train.log && echo epochs ${train.epochs} > model.txt"
          " && printf '{\"acc\":0.75,\"loss\":{\"val\":0.5}}' > metrics.json\n"
          "    deps: [prepared.csv]\n"
          "    params: [train.epochs]\n"
          "    outs: [model.txt]\n"
          "    metrics: [metrics.json]\n");
}

TEST(Repro, RunsInOrderThenSkipsWhenNothingChanged) {
  Project p;
  write_two_stage_project(p);
  auto first = p.repro();
  ASSERT_TRUE(first.ok()) << first.failure << p.log();
  EXPECT_EQ(first.names_with(StageAction::kRan), (V{"prepare", "train"}));
  EXPECT_EQ(first.stages[0].reasons, (V{"never run"}));
  EXPECT_EQ(p.read("model.txt"), "epochs 3\n");
  EXPECT_CONTAINS(p.log(), "Running stage 'prepare' (never run):\n> echo run");

  const auto lock = pipeline::read_lock(p.root() / "pipeline.lock");
  const auto* train = lock.find("train");
  ASSERT_NE(train, nullptr);
  EXPECT_EQ(train->params.at("params.yaml").at("train.epochs"), 3);
  ASSERT_EQ(train->outs.size(), 2u);
  EXPECT_EQ(train->outs[0].path, "model.txt");
  EXPECT_EQ(train->outs[0].hash, sha256_file_hex(p.root() / "model.txt"));
  EXPECT_EQ(train->metrics.at("metrics.json"), (nlohmann::ordered_json{{"acc", 0.75}, {"loss.val", 0.5}}));
  EXPECT_EQ(first.metrics, (nlohmann::ordered_json{{"acc", 0.75}, {"loss.val", 0.5}}));
  EXPECT_EQ(first.params, (nlohmann::ordered_json{{"train.epochs", 3}}));
  EXPECT_EQ(first.hashes["data.csv"], sha256_file_hex(p.root() / "data.csv"));
  EXPECT_EQ(first.hashes["model.txt"], train->outs[0].hash);

  const std::string lock_text = p.read("pipeline.lock");
  auto second = p.repro();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.names_with(StageAction::kUpToDate), (V{"prepare", "train"}));
  EXPECT_EQ(p.lines("runs-prepare.log"), 1);
  EXPECT_EQ(p.lines("runs-train.log"), 1);
  EXPECT_EQ(p.read("pipeline.lock"), lock_text);
  EXPECT_EQ(pipeline::lock_to_yaml(pipeline::read_lock(p.root() / "pipeline.lock")), lock_text);
}

TEST(Repro, RerunsWhenADepParamOrCmdChanges) {
  Project p;
  write_two_stage_project(p);
  ASSERT_TRUE(p.repro().ok());

  p.write("data.csv", "x\n1\n2\n3\n");
  auto dep = p.repro();
  EXPECT_EQ(dep.names_with(StageAction::kRan), (V{"prepare", "train"}));
  EXPECT_EQ(dep.stages[0].reasons, (V{"changed dep data.csv"}));
  EXPECT_EQ(dep.stages[1].reasons, (V{"changed dep prepared.csv"}));

  pipeline::apply_param_overrides(p.root(), {"train.epochs=5"});
  EXPECT_EQ(p.read("params.yaml"), "train:\n  epochs: 5  # how long\n  lr: 0.5\n");
  auto param = p.repro();
  EXPECT_EQ(param.names_with(StageAction::kRan), (V{"train"}));
  // The param is also templated into the command.
  EXPECT_EQ(param.stages[1].reasons, (V{"cmd changed", "changed param train.epochs"}));
  EXPECT_EQ(p.read("model.txt"), "epochs 5\n");

  // lr is not a declared param of any stage: nothing reruns.
  pipeline::apply_param_overrides(p.root(), {"train.lr=0.25"});
  EXPECT_TRUE(p.repro().names_with(StageAction::kRan).empty());

  std::string yaml = p.read("pipeline.yaml");
  yaml.replace(yaml.find("cp data.csv"), 11, "cat data.csv >");
  p.write("pipeline.yaml", yaml);
  auto cmd = p.repro();
  EXPECT_EQ(cmd.names_with(StageAction::kRan), (V{"prepare"}));  // same prepared.csv: train stays
  EXPECT_EQ(cmd.stages[0].reasons, (V{"cmd changed"}));
  EXPECT_EQ(p.lines("runs-prepare.log"), 3);
  EXPECT_EQ(p.lines("runs-train.log"), 3);

  // A damaged output makes its stage run again (here: restored, it ran before).
  p.write("model.txt", "tampered\n");
  auto out = p.repro();
  EXPECT_EQ(out.names_with(StageAction::kRestored), (V{"train"}));
  EXPECT_EQ(out.stages[1].reasons, (V{"changed out model.txt"}));
  EXPECT_EQ(p.read("model.txt"), "epochs 5\n");
  std::filesystem::remove(p.root() / "metrics.json");
  EXPECT_EQ(p.repro().stages[1].reasons, (V{"missing out metrics.json"}));
}

TEST(Repro, RestoresFromTheRunCacheInsteadOfRunning) {
  Project p;
  write_two_stage_project(p);
  ASSERT_TRUE(p.repro().ok());
  pipeline::apply_param_overrides(p.root(), {"train.epochs=9"});
  ASSERT_TRUE(p.repro().ok());
  EXPECT_EQ(p.read("model.txt"), "epochs 9\n");
  EXPECT_EQ(p.lines("runs-train.log"), 2);

  // Back to 3: this exact (cmd, deps, params) ran before.
  pipeline::apply_param_overrides(p.root(), {"train.epochs=3"});
  auto back = p.repro();
  ASSERT_TRUE(back.ok()) << back.failure;
  EXPECT_EQ(back.names_with(StageAction::kRestored), (V{"train"}));
  EXPECT_EQ(p.lines("runs-train.log"), 2);
  EXPECT_EQ(p.read("model.txt"), "epochs 3\n");
  EXPECT_CONTAINS(p.log(), "Stage 'train' restored from run cache");
  EXPECT_EQ(pipeline::read_lock(p.root() / "pipeline.lock").find("train")->params.at("params.yaml").at("train.epochs"), 3);

  // Without the run cache the command runs.
  pipeline::apply_param_overrides(p.root(), {"train.epochs=9"});
  ReproOptions no_cache;
  no_cache.use_run_cache = false;
  EXPECT_EQ(p.repro(no_cache).names_with(StageAction::kRan), (V{"train"}));
  EXPECT_EQ(p.lines("runs-train.log"), 3);
  pipeline::apply_param_overrides(p.root(), {"train.epochs=3"});
  EXPECT_EQ(p.repro().names_with(StageAction::kRestored), (V{"train"}));

  // --force runs the command even so.
  pipeline::apply_param_overrides(p.root(), {"train.epochs=9"});
  ReproOptions force;
  force.force = true;
  auto forced = p.repro(force);
  EXPECT_EQ(forced.names_with(StageAction::kRan), (V{"prepare", "train"}));
  EXPECT_EQ(forced.stages[0].reasons, (V{"forced"}));
  EXPECT_EQ(p.lines("runs-train.log"), 4);

  // The objects the lock and the run cache name are kept.
  const std::vector<std::string> kept = p.repo().references()["run-cache"];
  EXPECT_NE(std::find(kept.begin(), kept.end(), sha256_file_hex(p.root() / "model.txt")), kept.end());
}

TEST(Repro, CorruptedRunCacheObjectIsReportedNotUsed) {
  Project p;
  write_two_stage_project(p);
  ASSERT_TRUE(p.repro().ok());
  const std::string hash = sha256_file_hex(p.root() / "model.txt");
  pipeline::apply_param_overrides(p.root(), {"train.epochs=4"});
  ASSERT_TRUE(p.repro().ok());
  const std::filesystem::path object = p.repo().cache().object_path({hash, store::ObjectKind::kFile});
  std::filesystem::permissions(object, std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
  write_file_atomic(object, "bit rot\n");
  pipeline::apply_param_overrides(p.root(), {"train.epochs=3"});
  auto result = p.repro();
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.failed_stage, "train");
  EXPECT_CONTAINS(result.failure, "corrupted");
}

TEST(Repro, ParallelJobsRunIndependentStagesAtOnce) {
  Project p;
  // Each stage waits (up to 5 s) for the other's marker: both succeed only together.
  const std::string wait =
      "touch %s.marker; i=0; while [ ! -f %s.marker ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; "
      "test -f %s.marker && echo done > %s.txt && echo finished";
  auto cmd = [&](const std::string& self, const std::string& other) {
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, wait.c_str(), self.c_str(), other.c_str(), other.c_str(), self.c_str());
    return std::string(buffer);
  };
  p.write("pipeline.yaml", "stages:\n  left:\n    cmd: " + cmd("left", "right") + "\n    outs: [left.txt]\n" +
                               "  right:\n    cmd: " + cmd("right", "left") + "\n    outs: [right.txt]\n" +
                               "  join:\n    cmd: cat left.txt right.txt > both.txt\n    deps: [left.txt, right.txt]\n"
                               "    outs: [both.txt]\n");
  ReproOptions options;
  options.jobs = 2;
  const auto start = std::chrono::steady_clock::now();
  auto result = p.repro(options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(result.ok()) << result.failure << p.log();
  EXPECT_EQ(result.names_with(StageAction::kRan), (V{"left", "right", "join"}));
  EXPECT_EQ(p.read("both.txt"), "done\ndone\n");
  EXPECT_LT(seconds, 4.0);
  EXPECT_CONTAINS(p.log(), "Running stage 'left'");
  EXPECT_CONTAINS(p.log(), "[left] finished\n");  // command output is prefixed per stage
  EXPECT_CONTAINS(p.log(), "[right] finished\n");
}

TEST(Repro, StopsAtTheFirstFailureKeepingEarlierResults) {
  Project p;
  p.write("pipeline.yaml",
          "stages:\n"
          "  one: {cmd: echo 1 > one.txt, outs: [one.txt]}\n"
          "  two: {cmd: echo partial > two.txt; echo oops >&2; exit 3, deps: [one.txt], outs: [two.txt]}\n"
          "  three: {cmd: cat two.txt > three.txt, deps: [two.txt], outs: [three.txt]}\n");
  auto result = p.repro();
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.failed_stage, "two");
  EXPECT_EQ(result.failed_status, 3);
  EXPECT_CONTAINS(result.failure, "exit status 3");
  EXPECT_EQ(result.names_with(StageAction::kRan), (V{"one"}));
  EXPECT_EQ(result.names_with(StageAction::kNotRun), (V{"three"}));
  EXPECT_CONTAINS(p.log(), "oops");
  EXPECT_FALSE(p.exists("three.txt"));
  const auto lock = pipeline::read_lock(p.root() / "pipeline.lock");
  EXPECT_NE(lock.find("one"), nullptr);
  EXPECT_EQ(lock.find("two"), nullptr);
  auto error = testing::catch_error([&] { pipeline::throw_if_failed(result); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->location(), "stage two");

  // Fixed: only the failed stage and what follows run.
  std::string yaml = p.read("pipeline.yaml");
  yaml.replace(yaml.find("; exit 3"), 8, "");
  p.write("pipeline.yaml", yaml);
  auto again = p.repro();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.names_with(StageAction::kUpToDate), (V{"one"}));
  EXPECT_EQ(again.names_with(StageAction::kRan), (V{"two", "three"}));
}

TEST(Repro, ParallelFailureLetsRunningStagesFinishAndStartsNoMore) {
  Project p;
  p.write("pipeline.yaml",
          "stages:\n"
          "  fail: {cmd: exit 2, outs: [never.txt]}\n"
          "  slow: {cmd: sleep 0.3 && echo ok > slow.txt, outs: [slow.txt]}\n"
          "  later: {cmd: echo x > later.txt, outs: [later.txt]}\n");
  ReproOptions options;
  options.jobs = 2;
  auto result = p.repro(options);
  EXPECT_EQ(result.failed_stage, "fail");
  EXPECT_EQ(result.failed_status, 2);
  EXPECT_EQ(result.names_with(StageAction::kRan), (V{"slow"}));
  EXPECT_EQ(result.names_with(StageAction::kNotRun), (V{"later"}));
  EXPECT_NE(pipeline::read_lock(p.root() / "pipeline.lock").find("slow"), nullptr);
}

TEST(Repro, StaleOutputsAreDeletedAndMissingOutputsFail) {
  Project p;
  p.write("stale.txt", "from an earlier run\n");
  p.write("pipeline.yaml", "stages:\n  s: {cmd: 'test ! -e stale.txt && echo fresh > other.txt', outs: [stale.txt]}\n");
  auto result = p.repro();
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(p.exists("stale.txt"));  // deleted before the command ran
  EXPECT_CONTAINS(result.failure, "did not create the declared output 'stale.txt'");
  EXPECT_EQ(result.failed_status, 0);
}

TEST(Repro, DryRunReportsWhyAndChangesNothing) {
  Project p;
  write_two_stage_project(p);
  ReproOptions dry;
  dry.dry_run = true;
  auto never = p.repro(dry);
  EXPECT_EQ(never.names_with(StageAction::kWouldRun), (V{"prepare", "train"}));
  EXPECT_CONTAINS(p.log(), "Would run stage 'prepare' (never run)");
  EXPECT_FALSE(p.exists("prepared.csv"));
  EXPECT_FALSE(p.exists("pipeline.lock"));

  ASSERT_TRUE(p.repro().ok());
  pipeline::apply_param_overrides(p.root(), {"train.epochs=7"});
  dry.targets = {"train"};
  auto changed = p.repro(dry);
  ASSERT_EQ(changed.stages.size(), 2u);
  EXPECT_EQ(changed.stages[0].action, StageAction::kUpToDate);
  EXPECT_EQ(changed.stages[1].reasons, (V{"cmd changed", "changed param train.epochs"}));
  p.write("data.csv", "new\n");
  auto upstream = p.repro(dry);
  EXPECT_EQ(upstream.stages[0].reasons, (V{"changed dep data.csv"}));
  EXPECT_EQ(upstream.stages[1].reasons.back(), "upstream stage prepare changed");
  EXPECT_EQ(p.lines("runs-train.log"), 1);
  EXPECT_EQ(p.read("model.txt"), "epochs 3\n");
}

TEST(Repro, LockFollowsThePipelineOrderAndDropsRemovedStages) {
  Project p;
  p.write("pipeline.yaml",
          "stages:\n  a: {cmd: echo a > a.txt, outs: [a.txt]}\n  b: {cmd: echo b > b.txt, outs: [b.txt]}\n");
  ASSERT_TRUE(p.repro().ok());
  const std::string lock = p.read("pipeline.lock");
  EXPECT_LT(lock.find("  a:"), lock.find("  b:"));
  p.write("pipeline.yaml",
          "stages:\n  c: {cmd: echo c > c.txt, outs: [c.txt]}\n  b: {cmd: echo b > b.txt, outs: [b.txt]}\n");
  ASSERT_TRUE(p.repro().ok());
  const std::string after = p.read("pipeline.lock");
  EXPECT_EQ(after.find("  a:"), std::string::npos);
  EXPECT_LT(after.find("  c:"), after.find("  b:"));
}

TEST(Repro, TargetsRunOnlyTheirUpstream) {
  Project p;
  p.write("pipeline.yaml",
          "stages:\n"
          "  a: {cmd: echo a > a.txt, outs: [a.txt]}\n"
          "  b: {cmd: cat a.txt > b.txt, deps: [a.txt], outs: [b.txt]}\n"
          "  c: {cmd: echo c > c.txt, outs: [c.txt]}\n");
  ReproOptions options;
  options.targets = {"b"};
  auto result = p.repro(options);
  EXPECT_EQ(result.names_with(StageAction::kRan), (V{"a", "b"}));
  EXPECT_FALSE(p.exists("c.txt"));
}

TEST(Repro, WdirAndDirectoryOutputs) {
  Project p;
  p.write("sub/input.txt", "in\n");
  p.write("pipeline.yaml",
          "stages:\n"
          "  make:\n"
          "    wdir: sub\n"
          "    cmd: mkdir out && cp input.txt out/a && echo b > out/b\n"
          "    deps: [input.txt]\n"
          "    outs: [out]\n"
          "  use: {cmd: cat sub/out/a sub/out/b > all.txt, deps: [sub/out], outs: [all.txt]}\n");
  ASSERT_TRUE(p.repro().ok()) << p.log();
  EXPECT_EQ(p.read("all.txt"), "in\nb\n");
  EXPECT_TRUE(p.repro().names_with(StageAction::kRan).empty());
  // Restoring a directory from the run cache.
  p.write("sub/input.txt", "changed\n");
  ASSERT_TRUE(p.repro().ok());
  p.write("sub/input.txt", "in\n");
  auto back = p.repro();
  EXPECT_EQ(back.names_with(StageAction::kRestored), (V{"make", "use"}));
  EXPECT_EQ(p.read("sub/out/a"), "in\n");
}

TEST(Repro, OverridesAreAppliedLikeExpRun) {
  Project p;
  write_two_stage_project(p);
  ReproOptions options;
  options.param_overrides = {"train.epochs=11"};
  auto result = p.repro(options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.params["train.epochs"], 11);
  EXPECT_EQ(p.read("model.txt"), "epochs 11\n");
}

}  // namespace
}  // namespace tinymlops
