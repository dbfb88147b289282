#include "tinymlops/nn/layer_spec.h"

#include <gtest/gtest.h>

#include "tinymlops/core/error.h"

namespace tinymlops {
namespace {

TEST(LayerSpec, ParsesPositionalKeyedAndActivations) {
  auto specs = parse_layer_specs("conv2d:8:3x3:relu:stride=2:padding=same, maxpool:2, flatten, dense:10, softmax");
  ASSERT_EQ(specs.size(), 6u);
  EXPECT_EQ(specs[0].kind, LayerKind::kConv2D);
  EXPECT_EQ(specs[0].config["filters"], 8);
  EXPECT_EQ(specs[0].config["kernel"], nlohmann::json({3, 3}));
  EXPECT_EQ(specs[0].config["stride"], nlohmann::json({2, 2}));
  EXPECT_EQ(specs[0].config["padding"], "same");
  EXPECT_EQ(specs[1].kind, LayerKind::kActivation);
  EXPECT_EQ(specs[1].config["function"], "relu");
  EXPECT_EQ(specs[2].config["pool"], nlohmann::json({2, 2}));
  EXPECT_EQ(specs[5].config["function"], "softmax");
}

TEST(LayerSpec, ErrorsNameTheItem) {
  for (const char* bad : {"dense", "dense:x", "dense:8:9", "conv2d:8", "maxpool:2:colour=red", "dense:4,,dense:2",
                          "bogus:3", "dropout:1.5", "conv1d:4:3x3"}) {
    try {
      parse_layer_specs(bad);
      FAIL() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kParse) << bad;
      EXPECT_EQ(e.location(), "--layers") << bad;
    }
  }
}

TEST(LayerSpec, BuildsAModelWithTheRightShapes) {
  Model model(Shape{{8, 8, 1}});
  add_layers(model, parse_layer_specs("conv2d:8:3x3:relu,maxpool:2,flatten,dense:10,softmax"));
  model.build(Initializer::kGlorotUniform, 1);
  EXPECT_EQ(model.layer(0).output_shape(), (Shape{{6, 6, 8}}));
  EXPECT_EQ(model.layer(2).output_shape(), (Shape{{3, 3, 8}}));
  EXPECT_EQ(model.output_shape(), (Shape{{10}}));
  EXPECT_EQ(model.trainable_parameter_count(), 3 * 3 * 8 + 8 + 72 * 10 + 10);
}

TEST(LayerSpec, LayerThatDoesNotFitItsInputIsNamed) {
  Model model(Shape{{4, 4, 1}});
  add_layers(model, parse_layer_specs("conv2d:2:3x3,conv2d:2:3x3"));
  try {
    model.build(Initializer::kGlorotUniform, 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.location(), "layers[1] (conv2d)") << e.what();
  }
}

}  // namespace
}  // namespace tinymlops
