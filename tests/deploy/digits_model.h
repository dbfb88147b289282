// The quickstart digits MLP (64-64-32-10, standard normalization) quantized to
// int8, built once per test binary: trained two epochs, since what the deploy
// tests measure (flash, bit-exactness) does not depend on how well it learned.
#pragma once

#include "test_util.h"
#include "tinymlops/compress/ptq.h"
#include "tinymlops/tinymlops.h"

namespace tinymlops::testing {

inline const Dataset& digits_data() {
  static const Dataset data =
      load_dataset(source_dir() / "examples/data/digits.csv", {.label = "digit"});
  return data;
}

inline const DeployModel& int8_digits_mlp() {
  static const DeployModel int8 = [] {
    const Dataset& data = digits_data();
    Model model(Shape{{64}});
    add_layers(model, parse_layer_specs("dense:64:relu,dense:32:relu,dense:10,softmax"));
    model.build(Initializer::kGlorotUniform, 1);
    model.metadata.normalization = fit_normalization(NormalizationKind::kStandard, data.features);
    model.metadata.feature_names = data.feature_names;
    model.metadata.class_names = data.class_names;
    TrainOptions options;
    options.epochs = 2;
    train_model(model, data, nullptr, options, nullptr);
    return quantize_int8(lower_model(model), data.features.topRows(300), PtqOptions{});
  }();
  return int8;
}

}  // namespace tinymlops::testing
