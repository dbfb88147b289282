// cascade_tune.h: the sweep picks the smallest offload rate meeting the target,
// checked by hand and against brute force, and on the digits models.
#include "tinymlops/serve/cascade_tune.h"

#include <gtest/gtest.h>

#include "serve/serve_fixtures.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/serve/cascade.h"

namespace tinymlops::serve {
namespace {

TEST(CascadeTune, PicksTheSmallestOffloadRateMeetingTheTarget) {
  // Rows sorted by confidence; the edge is wrong on the two least confident, the
  // big model right on all but the most confident.
  const std::vector<double> confidence{0.95, 0.3, 0.5, 0.5, 0.9};
  const std::vector<bool> edge_correct{true, false, false, true, true};
  const std::vector<bool> big_correct{false, true, true, true, true};
  TuneReport r = tune_thresholds(confidence, edge_correct, big_correct, 0.8, {0.0, 0.4, 0.6, 1.0});
  EXPECT_DOUBLE_EQ(r.edge_accuracy, 0.6);
  EXPECT_DOUBLE_EQ(r.big_accuracy, 0.8);
  ASSERT_TRUE(r.best);
  // Offloading 0.3 gives 4/5: enough; the threshold lies between 0.3 and 0.5.
  EXPECT_DOUBLE_EQ(r.best->offload_rate, 0.2);
  EXPECT_DOUBLE_EQ(r.best->accuracy, 0.8);
  EXPECT_DOUBLE_EQ(r.best->threshold, 0.4);
  ASSERT_EQ(r.table.size(), 4u);
  EXPECT_DOUBLE_EQ(r.table[0].offload_rate, 0.0);
  EXPECT_DOUBLE_EQ(r.table[2].offload_rate, 0.6);  // 0.3, 0.5, 0.5
  EXPECT_DOUBLE_EQ(r.table[2].accuracy, 1.0);  // every row right: the big model's on the unsure three
  EXPECT_DOUBLE_EQ(r.table[3].accuracy, 0.8);  // all offloaded: the big model's accuracy

  // 100%: offload the three least confident rows, threshold between 0.5 and 0.9.
  r = tune_thresholds(confidence, edge_correct, big_correct, 1.0, {});
  ASSERT_TRUE(r.best);
  EXPECT_DOUBLE_EQ(r.best->offload_rate, 0.6);
  EXPECT_DOUBLE_EQ(r.best->threshold, 0.7);
  // A row both models get wrong: no threshold reaches 100%.
  EXPECT_FALSE(tune_thresholds({0.2, 0.9}, {false, true}, {false, true}, 1.0, {}).best);
  // Already met without offloading: threshold 0.
  r = tune_thresholds(confidence, edge_correct, big_correct, 0.6, {});
  ASSERT_TRUE(r.best);
  EXPECT_EQ(r.best->offload_rate, 0.0);
  EXPECT_EQ(r.best->threshold, 0.0);
  // Ties go together: offloading one of the 0.5 rows is not a choice.
  r = tune_thresholds({0.5, 0.5}, {false, false}, {true, true}, 0.5, {});
  ASSERT_TRUE(r.best);
  EXPECT_EQ(r.best->offload_rate, 1.0);
  EXPECT_EQ(r.best->threshold, 1.0);
  EXPECT_THROW(tune_thresholds({}, {}, {}, 0.5, {}), Error);
}

// Against brute force over every threshold that separates the rows differently.
TEST(CascadeTune, MatchesBruteForceOnRandomOutcomes) {
  Rng rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    const size_t n = 1 + rng.below(40);
    std::vector<double> confidence(n);
    std::vector<bool> edge(n), big(n);
    for (size_t i = 0; i < n; ++i) {
      confidence[i] = 0.1 * static_cast<double>(1 + rng.below(10));  // many ties
      edge[i] = static_cast<double>(rng.uniform()) < confidence[i];
      big[i] = rng.uniform() < 0.9;
    }
    const double target = 0.5 + 0.5 * static_cast<double>(rng.uniform());
    std::vector<double> candidates{0.0, 2.0};
    for (double c : confidence) candidates.push_back(c), candidates.push_back(c + 0.05);
    const TuneReport r = tune_thresholds(confidence, edge, big, target, candidates);
    double best_rate = 2;
    for (const TunePoint& p : r.table) {
      if (p.accuracy * static_cast<double>(n) >= target * static_cast<double>(n) - 1e-9) best_rate = std::min(best_rate, p.offload_rate);
    }
    SCOPED_TRACE("trial " + std::to_string(trial));
    ASSERT_EQ(r.best.has_value(), best_rate <= 1);
    if (!r.best) continue;
    EXPECT_DOUBLE_EQ(r.best->offload_rate, best_rate);
    // The reported threshold reproduces the reported point.
    const TuneReport check = tune_thresholds(confidence, edge, big, target, {r.best->threshold});
    EXPECT_DOUBLE_EQ(check.table[0].offload_rate, r.best->offload_rate);
    EXPECT_DOUBLE_EQ(check.table[0].accuracy, r.best->accuracy);
  }
}

TEST(CascadeTune, DigitsEdgeAndBigModels) {
  TuneConfig config;
  config.edge_model = testing::digits_models().edge;
  config.big_model = testing::digits_models().big;
  config.data = testing::digits_models().validation;
  config.within_pp = 0.5;
  const TuneReport r = run_cascade_tune(config);
  EXPECT_EQ(r.rows, 300u);
  EXPECT_DOUBLE_EQ(r.target_accuracy, r.big_accuracy - 0.005);
  EXPECT_LT(r.edge_accuracy, r.target_accuracy) << "the fixture's edge model should need help";
  ASSERT_TRUE(r.best);
  EXPECT_GE(r.best->accuracy, r.target_accuracy);
  EXPECT_GT(r.best->offload_rate, 0.0);
  EXPECT_LT(r.best->offload_rate, 1.0);
  ASSERT_EQ(r.table.size(), 21u);  // 0, 0.05, ..., 1
  EXPECT_EQ(r.table.front().offload_rate, 0.0);
  EXPECT_DOUBLE_EQ(r.table.front().accuracy, r.edge_accuracy);
  const std::string csv = tune_table_csv(r);
  EXPECT_EQ(csv.rfind("threshold,accuracy,offload_rate\n0,", 0), 0u) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 22);
  const std::string svg = tune_plot_svg(r);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("offload_rate"), std::string::npos);

  config.big_model = testing::source_dir() / "examples/data/iris.csv";  // not a model
  EXPECT_THROW(run_cascade_tune(config), Error);
}

TEST(CascadeJson, ReportsKeepTheirKeysAndABestOfNullWhenNoneMeetsTheTarget) {
  TuneReport tune;
  tune.rows = 4;
  tune.edge_accuracy = 0.5;
  tune.big_accuracy = 1;
  tune.target_accuracy = 0.75;
  tune.table = {{0, 0.5, 0}, {1, 1, 1}};
  EXPECT_EQ(to_json(tune).dump(),
            R"({"rows":4,"edge_accuracy":0.5,"big_accuracy":1.0,"target_accuracy":0.75,)"
            R"("table":[{"threshold":0.0,"accuracy":0.5,"offload_rate":0.0},{"threshold":1.0,"accuracy":1.0,"offload_rate":1.0}],)"
            R"("best":null})");
  tune.best = tune.table[1];
  EXPECT_EQ(to_json(tune)["best"]["offload_rate"], 1.0);

  CascadeReport cascade;
  cascade.rows = 3;
  cascade.offloaded = 1;
  cascade.first_failure = "timeout";
  EXPECT_EQ(to_json(cascade).dump(),
            R"({"rows":3,"accuracy":0.0,"edge_accuracy":0.0,"offload_rate":0.0,"offloaded":1,"offload_failed":0,)"
            R"("low_battery":0,"link_down":0,"first_failure":"timeout"})");
}

}  // namespace
}  // namespace tinymlops::serve
