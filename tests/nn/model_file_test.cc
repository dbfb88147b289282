#include "tinymlops/nn/model_file.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/nn/layer_spec.h"

namespace tinymlops {
namespace {

// A small CNN using every layer kind, built and with metadata filled in.
Model every_layer_model() {
  Model model(Shape{{6, 6, 2}});
  add_layers(model, parse_layer_specs(
                        "conv2d:4:3x3:relu:padding=same,batchnorm,depthwise_conv2d:3x3:multiplier=2,"
                        "maxpool:2,avgpool:1,dropout:0.2,global_avgpool,flatten,dense:5:leaky_relu:alpha=0.1,"
                        "dense:3,softmax"));
  model.build(Initializer::kHeNormal, 7);
  model.metadata.task = Task::kClassification;
  for (int i = 0; i < 72; ++i) model.metadata.feature_names.push_back("f" + std::to_string(i));
  model.metadata.label_name = "y";
  model.metadata.class_names = {"a", "b", "c"};
  model.metadata.normalization.kind = NormalizationKind::kStandard;
  model.metadata.normalization.offset = Eigen::VectorXf::LinSpaced(72, -1, 1);
  model.metadata.normalization.scale = Eigen::VectorXf::LinSpaced(72, 0.5, 2);
  model.metadata.provenance = {{"seed", 7}, {"data_sha256", "abc"}};
  return model;
}

Matrix sample_input(Eigen::Index rows, Eigen::Index cols) {
  Matrix x(rows, cols);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>((i * 37) % 11) - 5.0f;
  return x;
}

void expect_format_error(std::string_view bytes, const std::string& fragment) {
  try {
    parse_model(bytes, "m.tmlm");
    FAIL() << "expected an error containing " << fragment;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kFormat) << e.what();
    EXPECT_NE(std::string(e.what()).find("m.tmlm"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(ModelFile, RoundTripKeepsEveryTensorAndPrediction) {
  Model model = every_layer_model();
  const std::string bytes = serialize_model(model);
  Model loaded = parse_model(bytes, "m.tmlm");
  EXPECT_EQ(serialize_model(loaded), bytes);
  Matrix x = sample_input(4, 72);
  EXPECT_EQ(model.predict(x), loaded.predict(x));
  EXPECT_EQ(loaded.metadata.class_names, model.metadata.class_names);
  EXPECT_EQ(loaded.metadata.provenance, model.metadata.provenance);
}

TEST(ModelFile, SaveLoadThroughDisk) {
  testing::TempDir dir;
  Model model = every_layer_model();
  save_model(model, dir.path() / "m.tmlm");
  Model loaded = load_model(dir.path() / "m.tmlm");
  EXPECT_EQ(serialize_model(loaded), serialize_model(model));
}

TEST(ModelFile, RejectsTruncatedAtEveryLength) {
  Model model = every_layer_model();
  const std::string bytes = serialize_model(model);
  for (size_t length : {size_t{0}, size_t{5}, size_t{8}, size_t{30}, bytes.size() / 2, bytes.size() - 1}) {
    try {
      parse_model(std::string_view(bytes).substr(0, length), "m.tmlm");
      FAIL() << "accepted a file truncated to " << length;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kFormat);
      EXPECT_NE(std::string(e.what()).find("m.tmlm"), std::string::npos);
    }
  }
  expect_format_error(bytes.substr(0, bytes.size() - 10), "truncated");
}

TEST(ModelFile, RejectsAnyFlippedByte) {
  Model model = every_layer_model();
  const std::string bytes = serialize_model(model);
  // Flip one byte in the metadata, the tensors and the checksum.
  for (size_t at : {size_t{40}, bytes.size() - 100, bytes.size() - 3}) {
    std::string corrupted = bytes;
    corrupted[at] = static_cast<char>(corrupted[at] ^ 0x20);
    expect_format_error(corrupted, "checksum");
  }
}

TEST(ModelFile, RejectsNewerVersionBadMagicAndTrailingBytes) {
  Model model = every_layer_model();
  std::string bytes = serialize_model(model);
  std::string newer = bytes;
  newer[8] = 2;
  expect_format_error(newer, "newer");
  expect_format_error("PK\x03\x04 this is a zip file, not a model, honest......................", "magic");
  expect_format_error(bytes + "x", "trailing");
}

TEST(ModelFile, SameModelSameBytes) {
  Model a = every_layer_model();
  Model b = every_layer_model();
  EXPECT_EQ(serialize_model(a), serialize_model(b));
}

}  // namespace
}  // namespace tinymlops
