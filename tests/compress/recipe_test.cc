// recipe.h: parsing and checking recipes; every bad recipe names file:line:col.
#include "tinymlops/compress/recipe.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/error.h"

namespace tinymlops {
namespace {

std::string error_of(const std::string& text) {
  testing::TempDir dir;
  auto path = dir.write("recipe.yaml", text);
  try {
    load_recipe(path);
  } catch (const Error& e) {
    const std::string what = e.what();
    const std::string prefix = path.string();
    EXPECT_EQ(what.rfind(prefix, 0), 0u) << what;
    return what.substr(prefix.size());
  }
  return "no error";
}

TEST(Recipe, ParsesStepsInOrder) {
  testing::TempDir dir;
  auto path = dir.write("recipe.yaml",
                        "steps:\n"
                        "  - prune: {sparsity: 0.25, schedule: gradual, epochs: 3, per_layer: true, lr: 0.01}\n"
                        "  - quantize: {method: qat, bits: 4, calibration: kl, per_channel: false, epochs: 2}\n");
  std::vector<RecipeStep> steps = load_recipe(path);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].kind, "prune");
  EXPECT_DOUBLE_EQ(steps[0].prune.sparsity, 0.25);
  EXPECT_TRUE(steps[0].prune.gradual);
  EXPECT_FALSE(steps[0].prune.global);
  EXPECT_FLOAT_EQ(steps[0].prune.learning_rate, 0.01f);
  EXPECT_EQ(steps[1].quantize.method, "qat");
  EXPECT_EQ(steps[1].quantize.bits, 4);
  EXPECT_EQ(steps[1].quantize.ptq.calibration, Calibration::kKl);
  EXPECT_FALSE(steps[1].quantize.ptq.per_channel);
  EXPECT_EQ(steps[1].quantize.epochs, 2);
}

TEST(Recipe, StructuredPruneTakesANorm) {
  testing::TempDir dir;
  auto path = dir.write("recipe.yaml", "steps:\n  - prune: {sparsity: 0.5, structured: true, norm: l1}\n");
  const PruneConfig prune = load_recipe(path)[0].prune;
  EXPECT_TRUE(prune.structured);
  EXPECT_EQ(prune.norm, UnitNorm::kL1);
  EXPECT_EQ(error_of("steps:\n  - prune: {structured: true, norm: l0}\n"), ":2:31: unknown norm 'l0' (l1, l2)");
}

TEST(Recipe, AcceptsEveryQuantizeMethod) {
  for (const char* method : {"ptq", "qat", "fp16", "dynamic"}) {
    testing::TempDir dir;
    auto path = dir.write("recipe.yaml", std::string("steps:\n  - quantize: {method: ") + method + "}\n");
    EXPECT_EQ(load_recipe(path)[0].quantize.method, method);
  }
}

TEST(Recipe, QuantizeTakesInt16Activations) {
  testing::TempDir dir;
  auto path = dir.write("recipe.yaml", "steps:\n  - quantize: {activations: int16}\n");
  EXPECT_EQ(load_recipe(path)[0].quantize.activation_bits, 16);
  EXPECT_EQ(error_of("steps:\n  - quantize: {activations: int4}\n"),
            ":2:16: unknown activation type 'int4' (known: int8, int16)");
}

TEST(Recipe, BadRecipesNameTheirPlace) {
  EXPECT_EQ(error_of("steps:\n  - quantize: {bits: 3}\n"), ":2:16: 3 bits is not supported (supported: 4, 8, 16)");
  EXPECT_EQ(error_of("steps:\n  - prune: {sparsity: 1.5}\n"), ":2:13: sparsity must be in [0, 1)");
  EXPECT_EQ(error_of("steps:\n  - distil: {}\n"), ":2:5: unknown step 'distil' (known: prune, cluster, quantize)");
  EXPECT_EQ(error_of("steps:\n  - quantize: {method: magic}\n"), ":2:16: method is ptq, qat, fp16 or dynamic");
  EXPECT_EQ(error_of("steps:\n  - quantize: {calibration: entropy}\n"),
            ":2:16: unknown calibration 'entropy' (known: minmax, percentile, mse, kl)");
  EXPECT_NE(error_of("steps:\n  - prune: {sparsity: 0.5, colour: red}\n").find(":2:28: unknown prune key 'colour'"),
            std::string::npos);
  EXPECT_EQ(error_of("steps:\n  - quantize: {}\n  - prune: {}\n"), ":3:5: quantize must be the last step");
  EXPECT_EQ(error_of("steps: []\n"), ":1:8: 'steps' must be a non-empty list");
  EXPECT_EQ(error_of("steps:\n  - prune: {sparsity: half}\n"), ":2:13: bad value for 'sparsity'");
  EXPECT_EQ(error_of("recipe:\n  - prune: {}\n"), ": expected 'steps:' with a list of steps");
  EXPECT_NE(error_of("steps: [\n").find(":"), std::string::npos);
}

// to_json(RecipeReport): one object per step, named by its kind and holding
// that job's report, then the file written.
TEST(RecipeReportJson, EachStepUnderItsKindThenTheFile) {
  RecipeReport report;
  report.steps.resize(3);
  report.steps[0].kind = "prune";
  report.steps[0].prune.nonzero_after = 3232;
  report.steps[1].kind = "cluster";
  report.steps[1].cluster.clusters = 8;
  report.steps[2].kind = "quantize";
  report.steps[2].quantize.bits = 4;
  report.model = "out.tdm";
  report.file_bytes = 5073;
  const nlohmann::ordered_json j = to_json(report);
  EXPECT_EQ(testing::json_keys(j), (std::vector<std::string>{"steps", "model", "file_bytes"}));
  ASSERT_EQ(j["steps"].size(), 3u);
  EXPECT_EQ(testing::json_keys(j["steps"][0]), std::vector<std::string>{"prune"});
  EXPECT_EQ(testing::json_keys(j["steps"][1]), std::vector<std::string>{"cluster"});
  EXPECT_EQ(testing::json_keys(j["steps"][2]), std::vector<std::string>{"quantize"});
  EXPECT_EQ(j["steps"][0]["prune"], to_json(report.steps[0].prune));
  EXPECT_EQ(j["steps"][0]["prune"]["nonzero_after"], 3232);
  EXPECT_EQ(j["steps"][1]["cluster"]["clusters"], 8);
  EXPECT_EQ(j["steps"][2]["quantize"]["bits"], 4);
  EXPECT_EQ(j["model"], "out.tdm");
  EXPECT_EQ(j["file_bytes"], 5073);

  report.model.clear();
  EXPECT_EQ(testing::json_keys(to_json(report)), std::vector<std::string>{"steps"});
}

}  // namespace
}  // namespace tinymlops
