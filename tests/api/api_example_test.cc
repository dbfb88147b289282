// The worked example of include/tinymlops/tinymlops.h, compiled and run, so the
// header's first comment cannot rot.
#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/tinymlops.h"

namespace tinymlops {
namespace {

TEST(ApiExample, IrisAsInTheHeader) {
  testing::TempDir dir;
  Dataset data = load_dataset(testing::source_dir() / "examples/data/iris.csv", {.label = "species"});
  SplitIndices split = split_dataset(data, 0.1, 0.2, 1);
  Dataset train = data.subset(split.train), test = data.subset(split.test);

  Model model(Shape{{4}});
  add_layers(model, parse_layer_specs("dense:16:relu,dense:3,softmax"));
  model.build(Initializer::kGlorotUniform, 1);
  model.metadata.normalization = fit_normalization(NormalizationKind::kStandard, train.features);
  model.metadata.class_names = data.class_names;
  model.metadata.feature_names = data.feature_names;
  model.metadata.label_name = data.label_name;

  TrainOptions options;
  options.epochs = 100;
  options.learning_rate = 0.01f;
  train_model(model, train, nullptr, options, nullptr);

  Matrix probabilities = model.predict(test.features);
  EXPECT_GE(classification_metrics(test.classes, probabilities).accuracy, 0.9);
  save_model(model, dir.path() / "iris.tmlm");
  EXPECT_EQ(load_model(dir.path() / "iris.tmlm").predict(test.features), probabilities);
}

}  // namespace
}  // namespace tinymlops
