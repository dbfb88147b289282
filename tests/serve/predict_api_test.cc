#include "tinymlops/serve/predict_api.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/error.h"

namespace tinymlops::serve {
namespace {

using tinymlops::testing::error_of;

TEST(PredictApi, JsonRowsParseAndBadCellsAreNamed) {
  Matrix rows = parse_rows_json(R"({"rows": [[1, 2.5], [3, -4]]})", 2, 10, "body");
  ASSERT_EQ(rows.rows(), 2);
  EXPECT_EQ(rows(1, 1), -4.f);
  EXPECT_NE(error_of([] { parse_rows_json(R"({"rows": [[1, 2], [3]]})", 2, 10, "body"); }).find("rows[1] has 1 values"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_rows_json(R"({"rows": [[1, "x"]]})", 2, 10, "body"); }).find("rows[0][1]"), std::string::npos);
  EXPECT_NE(error_of([] { parse_rows_json("{rows", 2, 10, "body"); }).find("not JSON"), std::string::npos);
  EXPECT_NE(error_of([] { parse_rows_json(R"({"rows": []})", 2, 10, "body"); }).find("no rows"), std::string::npos);
  EXPECT_NE(error_of([] { parse_rows_json(R"({"rows": [[1,2],[1,2],[1,2]]})", 2, 2, "body"); }).find("at most 2"),
            std::string::npos);
}

TEST(PredictApi, BinaryRowsNeedWholeRowsOfFiniteFloats) {
  float values[4] = {1, 2, 3, 4};
  Matrix rows = parse_rows_binary(std::string_view(reinterpret_cast<const char*>(values), 16), 2, 10, "body");
  EXPECT_EQ(rows(1, 0), 3.f);
  EXPECT_THROW(parse_rows_binary(std::string_view(reinterpret_cast<const char*>(values), 12), 2, 10, "body"), Error);
  values[3] = NAN;
  EXPECT_NE(error_of([&] { parse_rows_binary(std::string_view(reinterpret_cast<const char*>(values), 16), 2, 10, "b"); })
                .find("rows[1][1]"),
            std::string::npos);
}

TEST(PredictApi, PredictionsRoundTripThroughJson) {
  ModelMetadata meta;
  meta.class_names = {"cat", "dog", "owl"};
  Matrix outputs(1, 3);
  outputs << 0.1f, 0.7f, 0.2f;
  std::vector<Prediction> p = to_predictions(meta, outputs);
  ASSERT_EQ(p[0].label, "dog");
  std::vector<Prediction> back = parse_predictions_json(predictions_json(p), "response");
  EXPECT_EQ(back[0].index, 1);
  EXPECT_NEAR(back[0].confidence, 0.7, 1e-6);
  EXPECT_THROW(parse_predictions_json("{}", "response"), Error);
}

}  // namespace
}  // namespace tinymlops::serve
