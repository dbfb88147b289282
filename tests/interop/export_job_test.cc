// to_json(ExportReport) (interop/export_job.h): every field under its own key,
// in the order the header documents.
#include "tinymlops/interop/export_job.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace tinymlops {
namespace {

TEST(ExportReportJson, EachFieldUnderItsKeyInOrder) {
  ExportReport r;
  r.model = "iris-int8.tdm";
  r.variant = "int8";
  r.format = "onnx";
  r.ops = 6;
  r.out = "iris.onnx";
  r.file_bytes = 3596;
  const nlohmann::ordered_json j = to_json(r);
  EXPECT_EQ(testing::json_keys(j),
            (std::vector<std::string>{"model", "variant", "format", "ops", "out", "file_bytes"}));
  EXPECT_EQ(j["model"], "iris-int8.tdm");
  EXPECT_EQ(j["variant"], "int8");
  EXPECT_EQ(j["format"], "onnx");
  EXPECT_EQ(j["ops"], 6);
  EXPECT_EQ(j["out"], "iris.onnx");
  EXPECT_EQ(j["file_bytes"], 3596);
}

}  // namespace
}  // namespace tinymlops
