// to_json(ClusterReport) (compress/cluster_job.h): every field under its own
// key, in the order `cluster --json` has always printed them.
#include "tinymlops/compress/cluster_job.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace tinymlops {
namespace {

// Measured and written; the first layer's biases clustered, the second's not.
ClusterReport sample_cluster_report() {
  ClusterReport r;
  r.clusters = 8;
  r.method = "meanshift";
  r.layers = {{"layers[0] (dense)", 64, 8, 16, 5}, {"layers[2] (dense)", 24, 7}};
  r.fine_tune = {.split = "a new split of iris.csv (20% test, seed 0)", .train_rows = 120, .eval_rows = 30,
                 .before = {{"rmse", 1.5}}, .after = {{"rmse", 1.75}}, .drop = 0.25,
                 .model = "clustered.tmlm", .file_bytes = 3067};
  return r;
}

TEST(ClusterReportJson, KeysComeInTheOrderClusterPrintsThem) {
  const std::vector<std::string> expected = {"clusters", "method", "split",  "train_rows", "eval_rows", "before",
                                             "after",    "drop",   "layers", "model",      "file_bytes"};
  EXPECT_EQ(testing::json_keys(to_json(sample_cluster_report())), expected);
}

TEST(ClusterReportJson, EachKeyHoldsItsField) {
  const nlohmann::ordered_json j = to_json(sample_cluster_report());
  EXPECT_EQ(j["clusters"], 8);
  EXPECT_EQ(j["method"], "meanshift");
  EXPECT_EQ(j["split"], "a new split of iris.csv (20% test, seed 0)");
  EXPECT_EQ(j["train_rows"], 120);
  EXPECT_EQ(j["eval_rows"], 30);
  EXPECT_EQ(j["before"]["rmse"], 1.5);
  EXPECT_EQ(j["after"]["rmse"], 1.75);
  EXPECT_DOUBLE_EQ(j["drop"].get<double>(), 0.25);
  // Bias counts only where the biases were clustered.
  EXPECT_EQ(j["layers"].dump(),
            R"j([{"layer":"layers[0] (dense)","weights":64,"distinct":8,"biases":16,"distinct_biases":5},)j"
            R"j({"layer":"layers[2] (dense)","weights":24,"distinct":7}])j");
  EXPECT_EQ(j["model"], "clustered.tmlm");
  EXPECT_EQ(j["file_bytes"], 3067);
}

TEST(ClusterReportJson, UnmeasuredUnwrittenLeavesTheirKeysOut) {
  ClusterReport r = sample_cluster_report();
  r.fine_tune.eval_rows = 0;
  r.fine_tune.model.clear();
  const std::vector<std::string> expected = {"clusters", "method", "split", "train_rows", "eval_rows", "layers"};
  EXPECT_EQ(testing::json_keys(to_json(r)), expected);
}

}  // namespace
}  // namespace tinymlops
