// Tables, number formats, exp show sorting and columns, diffs, flattening.
#include <gtest/gtest.h>

#include "tinymlops/core/error.h"
#include "tinymlops/track/report.h"

namespace tinymlops::track {
namespace {

Experiment experiment(const std::string& id, nlohmann::ordered_json params, nlohmann::ordered_json metrics) {
  Experiment e;
  e.id = id;
  e.name = id;
  e.params = std::move(params);
  e.metrics = std::move(metrics);
  e.status = "success";
  e.started_at = "2024-05-01T12:00:00Z";
  e.duration_seconds = 2.5;
  return e;
}

std::string usage_error(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    return e.what();
  }
  return "(no error)";
}

TEST(Report, NumbersAreFormattedTheSameEverywhere) {
  EXPECT_EQ(format_number(65536), "65536");
  EXPECT_EQ(format_number(-3), "-3");
  EXPECT_EQ(format_number(0.8712), "0.8712");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.3");
  EXPECT_EQ(format_number(1.0 / 3), "0.333333");
  EXPECT_EQ(format_number(1.5e-7), "1.5e-07");
  EXPECT_EQ(format_number(1e20), "1e+20");
  EXPECT_EQ(format_delta(0.97 - 0.95), "+0.02");
  EXPECT_EQ(format_delta(-3), "-3");
  EXPECT_EQ(format_delta(0), "0");
  EXPECT_EQ(format_value(nullptr), "-");
  EXPECT_EQ(format_value("adam"), "adam");
  EXPECT_EQ(format_value(true), "true");
  EXPECT_EQ(format_value(nlohmann::ordered_json::array({1, 2})), "[1,2]");
}

TEST(Report, TextAndCsvRendering) {
  Table table{{"id", "note"}, {{"exp-1", "a, \"b\""}, {"exp-22", ""}}};
  EXPECT_EQ(render_text(table), "id      note\nexp-1   a, \"b\"\nexp-22\n");
  EXPECT_EQ(render_csv(table), "id,note\nexp-1,\"a, \"\"b\"\"\"\nexp-22,\n");
}

TEST(Report, FlattenJsonJoinsNestedKeysWithDots) {
  nlohmann::ordered_json nested = {{"train", {{"epochs", 20}, {"opt", {{"lr", 0.01}}}}}, {"seed", 1}, {"empty", nlohmann::ordered_json::object()}, {"list", {1, 2}}};
  EXPECT_EQ(flatten_json(nested).dump(), R"({"train.epochs":20,"train.opt.lr":0.01,"seed":1,"empty":{},"list":[1,2]})");
  EXPECT_EQ(flatten_json(3).dump(), "3");
}

TEST(Report, ExperimentsTableSortsAndPicksColumns) {
  std::vector<Experiment> all = {experiment("exp-a", {{"epochs", 10}}, {{"accuracy", 0.91}}),
                                 experiment("exp-b", {{"epochs", 20}, {"lr", 0.1}}, {{"accuracy", 0.95}, {"loss", 0.2}}),
                                 experiment("exp-c", {{"epochs", 30}}, {}),
                                 experiment("exp-d", {{"epochs", 5}}, {{"accuracy", 0.93}})};
  Table table = experiments_table(all, {});
  EXPECT_EQ(table.header, (std::vector<std::string>{"id", "name", "status", "started", "duration", "epochs", "lr", "accuracy", "loss"}));
  EXPECT_EQ(table.rows[0], (std::vector<std::string>{"exp-a", "exp-a", "success", "2024-05-01T12:00:00Z", "2.5s", "10", "-", "0.91", "-"}));

  auto order = [&](const ShowOptions& options) {
    std::string ids;
    for (const Experiment& e : sort_experiments(all, options)) ids += e.id.substr(4);
    return ids;
  };
  EXPECT_EQ(order({}), "abcd");
  EXPECT_EQ(order({.sort_by = "accuracy"}), "adbc");  // missing last
  EXPECT_EQ(order({.sort_by = "accuracy", .descending = true}), "bdac");
  EXPECT_EQ(order({.sort_by = "epochs", .descending = true}), "cbad");  // a param
  EXPECT_EQ(usage_error([&] { sort_experiments(all, {.sort_by = "f1"}); }),
            "--sort: no experiment has a metric or param \"f1\" (known: accuracy, epochs, loss, lr)");

  Table picked = experiments_table(all, {.sort_by = "accuracy", .descending = true, .columns = {"id", "accuracy", "commit"}});
  EXPECT_EQ(render_text(picked), "id     accuracy  commit\nexp-b  0.95      -\nexp-d  0.93      -\nexp-a  0.91      -\nexp-c  -         -\n");
  EXPECT_NE(usage_error([&] { experiments_table(all, {.columns = {"id", "acc"}}); }).find("--columns: unknown column \"acc\""),
            std::string::npos);
}

TEST(Report, DiffShowsBothSidesWithDeltas) {
  Experiment a = experiment("exp-a", {{"epochs", 10}, {"opt", "sgd"}}, {{"accuracy", 0.95}, {"loss", 0.3}});
  Experiment b = experiment("exp-b", {{"epochs", 20}, {"opt", "adam"}, {"lr", 0.01}}, {{"accuracy", 0.97}});
  a.hashes = {{"data.csv", std::string(64, '1')}, {"model.tmlm", std::string(64, '2')}};
  b.hashes = {{"data.csv", std::string(64, '1')}, {"model.tmlm", std::string(64, '3')}};
  auto rows = diff_experiments(a, b, false);
  EXPECT_EQ(render_text(diff_table(rows, a.id, b.id)),
            "         key         exp-a         exp-b         delta\n"
            "params   epochs      10            20            +10\n"
            "params   opt         sgd           adam          changed\n"
            "params   lr          -             0.01          changed\n"
            "metrics  accuracy    0.95          0.97          +0.02\n"
            "metrics  loss        0.3           -             changed\n"
            "hashes   model.tmlm  222222222222  333333333333  changed\n");
  auto metrics_only = diff_experiments(a, b, true);
  ASSERT_EQ(metrics_only.size(), 2u);
  EXPECT_EQ(metrics_only[0].delta.get<double>(), 0.97 - 0.95);
  auto json = diff_json(metrics_only, a, b);
  EXPECT_EQ(json["rows"][1]["b"], nullptr);
  EXPECT_EQ(json["a"], "exp-a");
}

}  // namespace
}  // namespace tinymlops::track
