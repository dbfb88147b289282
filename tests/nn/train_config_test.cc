#include "tinymlops/nn/train_config.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/error.h"

namespace tinymlops {
namespace {

TEST(TrainConfig, YamlSetsEverySettingKind) {
  testing::TempDir dir;
  auto path = dir.write("train.yaml",
                        "data: d.csv\nlabel: y\nhidden: [16, 8]\nepochs: 7\nbatch: 4\nlr: 0.01\n"
                        "optimizer: sgd\nmomentum: 0.9\nnesterov: true\nseed: 9\npatience: 2\n"
                        "class_weights: balanced\nnormalize: minmax\nschedule: cosine\nout: m.tmlm\n");
  TrainConfig config;
  load_train_config(path, config);
  EXPECT_EQ(config.data, (dir.path() / "d.csv").string());
  EXPECT_EQ(config.out, (dir.path() / "m.tmlm").string());
  EXPECT_EQ(config.hidden, (std::vector<int>{16, 8}));
  EXPECT_EQ(config.options.epochs, 7);
  EXPECT_EQ(config.options.optimizer.kind, OptimizerKind::kSgd);
  EXPECT_TRUE(config.options.optimizer.nesterov);
  EXPECT_EQ(config.options.seed, 9u);
  EXPECT_EQ(config.normalization, NormalizationKind::kMinMax);
  EXPECT_EQ(config.options.schedule.kind, ScheduleKind::kCosine);
}

TEST(TrainConfig, UnknownKeyAndBadValueNameFileLineColumn) {
  testing::TempDir dir;
  auto typo = dir.write("a.yaml", "label: y\n  \nepoch: 3\n");
  TrainConfig config;
  try {
    load_train_config(typo, config);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.location(), typo.string() + ":3:1");
    EXPECT_NE(e.message().find("unknown setting 'epoch'"), std::string::npos);
  }
  auto bad = dir.write("b.yaml", "label: y\nepochs: -3\n");
  try {
    load_train_config(bad, config);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.location(), bad.string() + ":2:1");
  }
  auto broken = dir.write("c.yaml", "label: [y\n");
  EXPECT_THROW(load_train_config(broken, config), Error);
}

TEST(TrainConfig, EverySettingInTheTableIsAccepted) {
  // Catches a table entry that set_train_setting forgot.
  for (const TrainSetting& setting : train_settings()) {
    TrainConfig config;
    std::string key = setting.key;
    std::string value = setting.value[0] == '\0' ? "true" : "1";
    if (key == "task") value = "regression";
    if (key == "optimizer") value = "adam";
    if (key == "schedule") value = "step";
    if (key == "loss") value = "mse";
    if (key == "init") value = "he_normal";
    if (key == "monitor") value = "val_metric";
    if (key == "normalize") value = "none";
    if (key == "input_shape") value = "8x8x1";
    if (key == "validation_split" || key == "test_split") value = "0.5";
    EXPECT_NO_THROW(set_train_setting(config, key, value, "--x")) << key;
  }
}

}  // namespace
}  // namespace tinymlops
