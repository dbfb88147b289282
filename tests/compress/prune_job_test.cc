// to_json(PruneReport) (compress/prune_job.h): every field under its own key, in
// the order `prune --json` has always printed them.
#include "tinymlops/compress/prune_job.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace tinymlops {
namespace {

// A structured report, measured and written.
PruneReport structured_prune_report() {
  PruneReport r;
  r.sparsity = 0.25;
  r.structured = true;
  r.norm = "l1";
  r.global = false;
  r.gradual = false;
  r.params_before = 243;
  r.params_after = 91;
  r.nonzero_before = 216;
  r.nonzero_after = 76;
  r.units = {{"layers[0] (dense)", 16, 12}, {"layers[2] (dense)", 3, 3}};
  r.layers = {{"layers[0] (dense)", 48, 0}, {"layers[2] (dense)", 36, 1}};
  r.fine_tune = {.split = "the model's training split", .train_rows = 105, .eval_rows = 30,
                 .before = {{"accuracy", 0.9}}, .after = {{"accuracy", 0.8}}, .drop = 10,
                 .model = "pruned.tmlm", .file_bytes = 2460};
  return r;
}

TEST(PruneReportJson, KeysComeInTheOrderPrunePrintsThem) {
  const std::vector<std::string> expected = {
      "sparsity",  "structured",    "norm",           "global", "gradual",      "split",         "train_rows",
      "eval_rows", "params_before", "nonzero_before", "units",  "params_after", "nonzero_after", "before",
      "after",     "drop",          "layers",         "model",  "file_bytes"};
  EXPECT_EQ(testing::json_keys(to_json(structured_prune_report())), expected);
}

TEST(PruneReportJson, EachKeyHoldsItsField) {
  const nlohmann::ordered_json j = to_json(structured_prune_report());
  EXPECT_DOUBLE_EQ(j["sparsity"].get<double>(), 0.25);
  EXPECT_EQ(j["structured"], true);
  EXPECT_EQ(j["norm"], "l1");
  EXPECT_EQ(j["global"], false);
  EXPECT_EQ(j["split"], "the model's training split");
  EXPECT_EQ(j["train_rows"], 105);
  EXPECT_EQ(j["eval_rows"], 30);
  EXPECT_EQ(j["params_before"], 243);
  EXPECT_EQ(j["nonzero_before"], 216);
  EXPECT_EQ(j["params_after"], 91);
  EXPECT_EQ(j["nonzero_after"], 76);
  EXPECT_EQ(j["units"].dump(), R"j([{"layer":"layers[0] (dense)","before":16,"after":12},)j"
                               R"j({"layer":"layers[2] (dense)","before":3,"after":3}])j");
  EXPECT_EQ(j["before"]["accuracy"], 0.9);
  EXPECT_EQ(j["after"]["accuracy"], 0.8);
  EXPECT_DOUBLE_EQ(j["drop"].get<double>(), 10);
  EXPECT_EQ(j["layers"][1].dump(), R"j({"layer":"layers[2] (dense)","weights":36,"zeros":1})j");
  EXPECT_EQ(j["model"], "pruned.tmlm");
  EXPECT_EQ(j["file_bytes"], 2460);
}

TEST(PruneReportJson, UnstructuredUnmeasuredUnwrittenLeavesTheirKeysOut) {
  PruneReport r = structured_prune_report();
  r.structured = false;
  r.gradual = true;
  r.fine_tune.eval_rows = 0;
  r.fine_tune.model.clear();
  const std::vector<std::string> expected = {"sparsity",       "structured",   "global",        "gradual",
                                             "split",          "train_rows",   "eval_rows",     "params_before",
                                             "nonzero_before", "params_after", "nonzero_after", "layers"};
  const nlohmann::ordered_json j = to_json(r);
  EXPECT_EQ(testing::json_keys(j), expected);
  EXPECT_EQ(j["gradual"], true);
}

}  // namespace
}  // namespace tinymlops
