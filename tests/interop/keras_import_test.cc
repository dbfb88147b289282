// Keras import without TensorFlow: a Keras 3 .keras zip and a Keras 2 .h5
// file, written by hand with h5py in the layouts Keras uses, match numpy's
// forward pass of the same weights to within float rounding (nn/rounding_bound.h).
#include <gtest/gtest.h>

#include "nn/rounding_bound.h"
#include "python_models.h"
#include "tinymlops/core/error.h"
#include "tinymlops/interop/keras_import.h"
#include "tinymlops/nn/layers.h"

namespace tinymlops {
namespace {

namespace fs = std::filesystem;

class KerasImport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir;
    problem_ = testing::make_python_models("keras", dir_->path(), &skip_);
  }
  static void TearDownTestSuite() { delete dir_, dir_ = nullptr; }
  void SetUp() override {
    if (skip_) GTEST_SKIP() << problem_;
    ASSERT_EQ(problem_, "");
  }
  static fs::path file(const std::string& name) { return dir_->path() / name; }
  static Error error_of(const fs::path& path) {
    try {
      load_keras(path);
    } catch (const Error& e) {
      return e;
    }
    return Error(ErrorKind::kUsage, "", "no error");
  }

  static testing::TempDir* dir_;
  static std::string problem_;
  static bool skip_;
};
testing::TempDir* KerasImport::dir_ = nullptr;
std::string KerasImport::problem_;
bool KerasImport::skip_ = false;

TEST_F(KerasImport, Keras3CnnMatchesNumpy) {
  Model model = load_keras(file("cnn.keras"));
  EXPECT_EQ(model.input_shape().to_string(), "6x6x2");
  const testing::Reference ref = testing::load_reference(file("cnn_keras.json"));
  EXPECT_TRUE(testing::within_float_tolerance(model, ref.x, ref.y, model.predict(ref.x)));
  EXPECT_EQ(model.metadata.task, Task::kClassification);
  EXPECT_EQ(model.metadata.provenance.at("format"), "keras");
}

TEST_F(KerasImport, LegacyKeras2H5MatchesNumpy) {
  Model model = load_keras(file("mlp.h5"));
  const testing::Reference ref = testing::load_reference(file("mlp_h5.json"));
  EXPECT_TRUE(testing::within_float_tolerance(model, ref.x, ref.y, model.predict(ref.x)));
  EXPECT_EQ(model.metadata.provenance.at("keras_version"), "2.12.0");
}

TEST_F(KerasImport, FunctionalModelsAreRefused) {
  const Error e = error_of(file("functional.keras"));
  EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  EXPECT_NE(std::string(e.what()).find("Functional model; only Sequential models are imported"), std::string::npos)
      << e.what();
}

TEST_F(KerasImport, AnUnsupportedLayerIsNamed) {
  const Error e = error_of(file("lstm.keras"));
  EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  EXPECT_NE(std::string(e.what()).find("layers[2] (LSTM 'lstm'): layer class is not supported"), std::string::npos)
      << e.what();
}

TEST_F(KerasImport, DamagedFilesAreFormatErrors) {
  testing::TempDir dir;
  const Error zip = error_of(dir.write("broken.keras", "PK\x03\x04 not really a zip"));
  EXPECT_EQ(zip.kind(), ErrorKind::kFormat) << zip.what();
  const Error h5 = error_of(dir.write("broken.h5", "\x89HDF not really"));
  EXPECT_EQ(h5.kind(), ErrorKind::kFormat) << h5.what();
  EXPECT_NE(std::string(h5.what()).find("broken.h5"), std::string::npos);
}

}  // namespace
}  // namespace tinymlops
