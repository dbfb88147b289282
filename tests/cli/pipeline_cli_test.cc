// The pipeline commands of the `tinymlops` binary: repro, dag, stage status,
// metrics show/diff, plots.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {
namespace {

using testing::run_cli;
using testing::TempDir;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void write_project(const TempDir& dir) {
  dir.write("params.yaml", "epochs: 2\n");
  dir.write("data.txt", "1\n2\n");
  dir.write("pipeline.yaml",
            "stages:\n"
            "  prepare:\n"
            "    cmd: sort -r data.txt > prepared.txt\n"
            "    deps: [data.txt]\n"
            "    outs: [prepared.txt]\n"
            "  train:\n"
            "    cmd: echo ${epochs} > model.txt && printf '{\"acc\":0.5}' > m.json"
            " && printf 'step,loss\\n1,0.5\\n2,0.25\\n' > loss.csv\n"
            "    deps: [prepared.txt]\n"
            "    params: [epochs]\n"
            "    outs: [model.txt]\n"
            "    metrics: [m.json]\n"
            "    plots: [loss.csv]\n");
}

TEST(PipelineCli, ReproStatusDagMetricsPlots) {
  TempDir dir;
  write_project(dir);
  const std::string root = dir.path().string();

  auto dry = run_cli({"repro", "--dry", "-C", root});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_TRUE(has(dry.out, "Would run stage 'train' (never run)")) << dry.out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "model.txt"));

  auto first = run_cli({"repro", "-C", root, "-j", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  EXPECT_TRUE(has(first.out, "2 ran")) << first.out;
  EXPECT_EQ(read_file(dir.path() / "model.txt"), "2\n");

  auto again = run_cli({"repro", "-C", root});
  EXPECT_TRUE(has(again.out, "2 up to date")) << again.out;

  auto status = run_cli({"stage", "status", "-C", root});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_TRUE(has(status.out, "train    up to date")) << status.out;
  dir.write("params.yaml", "epochs: 4\n");
  auto changed = run_cli({"stage", "status", "--json", "-C", root});
  const auto json = nlohmann::json::parse(changed.out);
  EXPECT_EQ(json["prepare"]["up_to_date"], true);
  EXPECT_EQ(json["train"]["reasons"], nlohmann::json::array({"cmd changed", "changed param epochs"}));

  auto dag = run_cli({"dag", "-C", root});
  EXPECT_EQ(dag.out, "prepare\n└── train\n");
  auto mermaid = run_cli({"dag", "--mermaid", "-C", root});
  EXPECT_TRUE(has(mermaid.out, "flowchart TD\n")) << mermaid.out;
  EXPECT_TRUE(has(mermaid.out, "s0 --> s1")) << mermaid.out;

  dir.write("m.json", "{\"acc\": 0.75}");
  auto show = run_cli({"metrics", "show", "-C", root});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_TRUE(has(show.out, "m.json  acc     0.75")) << show.out;
  auto diff = run_cli({"metrics", "diff", "-C", root});
  EXPECT_TRUE(has(diff.out, "path    metric  old  new   change")) << diff.out;
  EXPECT_TRUE(has(diff.out, "m.json  acc     0.5  0.75  0.25")) << diff.out;
  auto diff_json = nlohmann::json::parse(run_cli({"metrics", "diff", "--json", "-C", root}).out);
  EXPECT_EQ(diff_json[0]["old"], 0.5);

  const std::string html = (dir.path() / "plots.html").string();
  auto plots = run_cli({"plots", "--out", html, "-C", root});
  ASSERT_EQ(plots.exit_code, 0) << plots.err;
  EXPECT_TRUE(has(read_file(html), ">loss<"));
  const std::string svg = (dir.path() / "plots.svg").string();
  ASSERT_EQ(run_cli({"plots", "--out", svg, "-C", root}).exit_code, 0);
  EXPECT_EQ(read_file(svg).rfind("<svg", 0), 0u);
}

TEST(PipelineCli, FailuresAndBadInputAreOneLine) {
  TempDir dir;
  dir.write("pipeline.yaml",
            "stages:\n"
            "  ok: {cmd: echo > ok.txt, outs: [ok.txt]}\n"
            "  bad: {cmd: exit 3, deps: [ok.txt], outs: [bad.txt]}\n");
  const std::string root = dir.path().string();
  auto failed = run_cli({"repro", "-C", root});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(std::count(failed.err.begin(), failed.err.end(), '\n'), 1) << failed.err;
  EXPECT_TRUE(has(failed.err, "tinymlops: stage bad: command failed with exit status 3")) << failed.err;
  EXPECT_TRUE(has(read_file(dir.path() / "pipeline.lock"), "ok:"));

  auto unknown = run_cli({"repro", "nope", "-C", root});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;

  dir.write("pipeline.yaml", "stages:\n  a:\n    cmd: echo\n    outz: [x]\n");
  auto invalid = run_cli({"dag", "-C", root});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_TRUE(has(invalid.err, "pipeline.yaml:4:5: unknown key 'outz'")) << invalid.err;

  TempDir empty;
  auto none = run_cli({"stage", "status", "-C", empty.path().string()});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_TRUE(has(none.err, "no pipeline.yaml")) << none.err;
  EXPECT_EQ(run_cli({"repro", "-j", "0", "-C", root}).exit_code, 2);
}

}  // namespace
}  // namespace tinymlops
