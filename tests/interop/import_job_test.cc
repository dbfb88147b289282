// to_json(ImportReport) (interop/import_job.h): every field under its own key,
// in the order `import --json` has always printed them.
#include "tinymlops/interop/import_job.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace tinymlops {
namespace {

ImportReport sample_import_report() {
  ImportReport r;
  r.source = "sensor.onnx";
  r.format = "onnx";
  r.input_shape = "4";
  r.output_shape = "3";
  r.layers = 5;
  r.params = 115;
  r.task = "classification";
  r.features = 4;
  r.label = "kind";
  r.classes = {"low", "mid", "high"};
  r.normalization = "standard";
  r.model = "sensor.tmlm";
  r.file_bytes = 2266;
  return r;
}

TEST(ImportReportJson, KeysComeInTheOrderImportPrintsThem) {
  const std::vector<std::string> expected = {"source",        "format", "input_shape", "output_shape", "layers",
                                             "params",        "task",   "features",    "label",        "classes",
                                             "normalization", "model",  "file_bytes"};
  EXPECT_EQ(testing::json_keys(to_json(sample_import_report())), expected);
}

TEST(ImportReportJson, EachKeyHoldsItsField) {
  const nlohmann::ordered_json j = to_json(sample_import_report());
  EXPECT_EQ(j["source"], "sensor.onnx");
  EXPECT_EQ(j["format"], "onnx");
  EXPECT_EQ(j["input_shape"], "4");
  EXPECT_EQ(j["output_shape"], "3");
  EXPECT_EQ(j["layers"], 5);
  EXPECT_EQ(j["params"], 115);
  EXPECT_EQ(j["task"], "classification");
  EXPECT_EQ(j["features"], 4);
  EXPECT_EQ(j["label"], "kind");
  EXPECT_EQ(j["classes"].dump(), R"j(["low","mid","high"])j");
  EXPECT_EQ(j["normalization"], "standard");
  EXPECT_EQ(j["model"], "sensor.tmlm");
  EXPECT_EQ(j["file_bytes"], 2266);
}

TEST(ImportReportJson, RegressionHasNoClassesAndUnwrittenNoFile) {
  ImportReport r = sample_import_report();
  r.task = "regression";
  r.classes.clear();
  r.model.clear();
  const nlohmann::ordered_json j = to_json(r);
  EXPECT_EQ(j["classes"].dump(), "[]");  // an empty list, not null
  EXPECT_FALSE(j.contains("model"));
  EXPECT_FALSE(j.contains("file_bytes"));
}

}  // namespace
}  // namespace tinymlops
