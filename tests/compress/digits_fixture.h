// The digits MLP (64-32) trained the same way for every compression acceptance
// test: digits split 80/20 with seed 1, standard normalization, 30 epochs of Adam.
#pragma once

#include "test_util.h"
#include "tinymlops/tinymlops.h"

namespace tinymlops::testing {

struct DigitsCase {
  Dataset train, test;
  Model model;
  double accuracy = 0;  // float test accuracy
};

inline DigitsCase trained_digits_mlp() {
  DigitsCase c;
  Dataset data = load_dataset(source_dir() / "examples/data/digits.csv", {.label = "digit"});
  SplitIndices split = split_dataset(data, 0.0, 0.2, 1);
  c.train = data.subset(split.train);
  c.test = data.subset(split.test);
  c.model = Model(Shape{{64}});
  add_layers(c.model, parse_layer_specs("dense:64:relu,dense:32:relu,dense:10,softmax"));
  c.model.build(Initializer::kGlorotUniform, 1);
  c.model.metadata.normalization = fit_normalization(NormalizationKind::kStandard, c.train.features);
  c.model.metadata.feature_names = data.feature_names;
  c.model.metadata.class_names = data.class_names;
  TrainOptions options;
  options.epochs = 30;
  train_model(c.model, c.train, nullptr, options, nullptr);
  c.accuracy = classification_metrics(c.test.classes, c.model.predict(c.test.features)).accuracy;
  return c;
}

}  // namespace tinymlops::testing
