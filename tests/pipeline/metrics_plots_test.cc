// Metrics show/diff and the plots renderer.
#include <gtest/gtest.h>

#include <cmath>

#include "data/error_expect.h"
#include "pipeline/project_fixture.h"
#include "tinymlops/pipeline/lock.h"
#include "tinymlops/pipeline/metrics.h"
#include "tinymlops/pipeline/plots.h"

namespace tinymlops {
namespace {

using nlohmann::ordered_json;
using testing::catch_error;
using testing::Project;

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

TEST(Metrics, ShowFlattensJsonAndYamlAndDiffComparesWithTheLock) {
  Project p;
  p.write("src.json", "{\"acc\": 0.9, \"size\": {\"flash\": 100}}");
  p.write("src.yaml", "loss: 0.5\n");
  p.write("pipeline.yaml",
          "stages:\n"
          "  eval:\n"
          "    cmd: cp src.json m.json && cp src.yaml m.yaml\n"
          "    deps: [src.json, src.yaml]\n"
          "    metrics: [m.json, m.yaml]\n");
  ASSERT_TRUE(p.repro().ok()) << p.log();
  const auto pl = pipeline::load_pipeline(p.root());
  EXPECT_EQ(pipeline::collect_metrics(pl),
            (ordered_json{{"m.json", {{"acc", 0.9}, {"size.flash", 100}}}, {"m.yaml", {{"loss", 0.5}}}}));

  p.write("m.json", "{\"acc\": 0.95, \"size\": {\"flash\": 90}, \"extra\": \"x\"}");
  const auto rows = pipeline::diff_metrics(pl, pipeline::read_lock(p.root() / "pipeline.lock"));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].key, "acc");
  EXPECT_EQ(rows[0].old_value, 0.9);
  EXPECT_EQ(rows[0].new_value, 0.95);
  EXPECT_NEAR(rows[0].change.get<double>(), 0.05, 1e-12);
  EXPECT_EQ(rows[1].change, -10);
  EXPECT_EQ(rows[2].key, "extra");
  EXPECT_TRUE(rows[2].old_value.is_null());
  EXPECT_TRUE(rows[2].change.is_null());
  EXPECT_EQ(rows[3].file, "m.yaml");
  EXPECT_EQ(rows[3].change, 0.0);
  const ordered_json json = pipeline::metric_changes_to_json(rows);
  ASSERT_EQ(json.size(), 4u);
  EXPECT_EQ(json[0].dump(), R"({"path":"m.json","metric":"acc","old":0.9,"new":0.95,"change":0.04999999999999993})");
  EXPECT_TRUE(json[2]["old"].is_null());
  EXPECT_EQ(pipeline::format_metric(0.123456789), "0.123457");
  EXPECT_EQ(pipeline::format_metric(nullptr), "-");

  p.write("m.json", "[1, 2]");
  auto error = catch_error([&] { pipeline::collect_metrics(pl); });
  ASSERT_TRUE(error);
  EXPECT_CONTAINS(error->location(), "m.json");
  p.write("m.json", "{\"acc\": ");
  error = catch_error([&] { pipeline::collect_metrics(pl); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind(), ErrorKind::kParse);
}

TEST(Plots, CsvAndJsonBecomeOneChartEachWithDeterministicBytes) {
  Project p;
  p.write("pipeline.yaml",
          "stages:\n"
          "  train:\n"
          "    cmd: printf 'epoch,loss,val_loss\\n1,0.9,1.0\\n2,0.5,0.7\\n3,0.25,\\n' > loss.csv\n"
          "    plots: [loss.csv]\n"
          "  eval:\n"
          "    cmd: printf '[{\"threshold\":0.2,\"step\":0,\"acc\":0.8},{\"threshold\":0.9,\"step\":1,\"acc\":0.99}]' > acc.json\n"
          "    plots: [acc.json]\n");
  ASSERT_TRUE(p.repro().ok()) << p.log();
  const auto plots = pipeline::collect_plots(pipeline::load_pipeline(p.root()));
  ASSERT_EQ(plots.size(), 2u);
  EXPECT_EQ(plots[0].x_name, "epoch");
  ASSERT_EQ(plots[0].series.size(), 2u);
  EXPECT_EQ(plots[0].series[1].name, "val_loss");
  EXPECT_TRUE(std::isnan(plots[0].series[1].y[2]));
  EXPECT_EQ(plots[1].x_name, "step");
  EXPECT_EQ(plots[1].series.size(), 2u);  // threshold and acc

  const std::string html = pipeline::render_plots(plots, "html");
  EXPECT_EQ(count(html, "<svg"), 2u);
  EXPECT_EQ(count(html, "</svg>"), 2u);
  for (const char* name : {"loss.csv", "acc.json", ">loss<", ">val_loss<", ">acc<", ">threshold<", ">epoch<"}) {
    EXPECT_CONTAINS(html, name);
  }
  EXPECT_EQ(count(html, "<polyline"), 4u);  // val_loss has no point 3: still one segment
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(pipeline::render_plots(plots, "html"), html);

  const std::string svg = pipeline::render_plots(plots, "svg");
  EXPECT_EQ(count(svg, "<svg"), 3u);  // the document and one chart per file
  EXPECT_EQ(svg.rfind("<svg xmlns", 0), 0u);
  EXPECT_TRUE(catch_error([&] { pipeline::render_plots(plots, "png"); }).has_value());
}

TEST(Plots, BadFilesNameThePlace) {
  Project p;
  p.write("bad.csv", "step,y\n1,2\nx,3\n");
  auto error = catch_error([&] { pipeline::read_plot_file(p.root() / "bad.csv", "bad.csv"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->location(), (p.root() / "bad.csv").string() + ":3:1");
  p.write("ragged.csv", "a,b\n1,2,3\n");
  error = catch_error([&] { pipeline::read_plot_file(p.root() / "ragged.csv", "ragged.csv"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->location(), (p.root() / "ragged.csv").string() + ":2");
  p.write("words.csv", "a,b\n1,x\n");
  error = catch_error([&] { pipeline::read_plot_file(p.root() / "words.csv", "words.csv"); });
  ASSERT_TRUE(error);
  EXPECT_CONTAINS(error->message(), "no numeric column");
}

}  // namespace
}  // namespace tinymlops
