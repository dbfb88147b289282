// ONNX import of models PyTorch exports and of single-op graphs built with
// onnx.helper: outputs match PyTorch / numpy to within float rounding
// (nn/rounding_bound.h), and what is not supported is refused naming the node
// and its op.
#include <gtest/gtest.h>

#include "nn/rounding_bound.h"
#include "python_models.h"
#include "tinymlops/core/error.h"
#include "tinymlops/interop/onnx_import.h"
#include "tinymlops/nn/layers.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops {
namespace {

namespace fs = std::filesystem;
using testing::load_reference;

class PythonModels : public ::testing::Test {
 protected:
  static void make(const std::string& kind, testing::TempDir*& dir, std::string& problem, bool& skip) {
    if (dir) return;
    dir = new testing::TempDir;
    problem = testing::make_python_models(kind, dir->path(), &skip);
  }
  void require(const std::string& problem, bool skip) {
    if (skip) GTEST_SKIP() << problem;
    ASSERT_EQ(problem, "");
  }
};

class TorchImport : public PythonModels {
 protected:
  void SetUp() override {
    make("torch", dir_, problem_, skip_);
    require(problem_, skip_);
  }
  static void TearDownTestSuite() { delete dir_, dir_ = nullptr; }
  static fs::path file(const std::string& name) { return dir_->path() / name; }

  // Imports NAME.onnx and checks the model, and its lowered deploy model, against PyTorch.
  static void expect_matches_torch(const std::string& name) {
    Model model = load_onnx(file(name + ".onnx"));
    const testing::Reference ref = load_reference(file(name + ".json"));
    EXPECT_TRUE(testing::within_float_tolerance(model, ref.x, ref.y, model.predict(ref.x))) << name;
    DeployModel deployed = lower_model(model);
    ReferenceEngine engine(deployed);
    EXPECT_TRUE(testing::within_float_tolerance(model, ref.x, ref.y, engine.predict(ref.x))) << name << " (deployed)";
  }

  static testing::TempDir* dir_;
  static std::string problem_;
  static bool skip_;
};
testing::TempDir* TorchImport::dir_ = nullptr;
std::string TorchImport::problem_;
bool TorchImport::skip_ = false;

TEST_F(TorchImport, MlpMatchesPyTorch) {
  expect_matches_torch("mlp");
  Model model = load_onnx(file("mlp.onnx"));
  EXPECT_EQ(model.input_shape().to_string(), "6");
  EXPECT_EQ(model.metadata.task, Task::kClassification);  // ends in Softmax
  EXPECT_EQ(model.metadata.class_names, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(model.metadata.feature_names.front(), "x0");
  EXPECT_EQ(model.metadata.provenance.at("format"), "onnx");
}

TEST_F(TorchImport, CnnWithBatchNormDepthwiseAndPoolingMatchesPyTorch) {
  expect_matches_torch("cnn");
  Model model = load_onnx(file("cnn.onnx"));
  EXPECT_EQ(model.input_shape().to_string(), "8x8x3");  // NCHW [3, 8, 8] comes in channels-last
  bool depthwise = false;
  for (size_t i = 0; i < model.num_layers(); ++i) depthwise |= model.layer(i).kind() == LayerKind::kDepthwiseConv2D;
  EXPECT_TRUE(depthwise);
  EXPECT_EQ(model.metadata.task, Task::kRegression);
}

TEST_F(TorchImport, FlattenedChannelsFirstFeaturesArePermutedIntoTheGemm) { expect_matches_torch("flat"); }

TEST_F(TorchImport, Conv1dSequenceModelMatchesPyTorch) {
  expect_matches_torch("seq");
  EXPECT_EQ(load_onnx(file("seq.onnx")).input_shape().to_string(), "12x2");
}

class OpGraphs : public PythonModels {
 protected:
  void SetUp() override {
    make("ops", dir_, problem_, skip_);
    require(problem_, skip_);
  }
  static void TearDownTestSuite() { delete dir_, dir_ = nullptr; }
  static fs::path file(const std::string& name) { return dir_->path() / name; }

  static void expect_matches_numpy(const std::string& name) {
    Model model = load_onnx(file(name + ".onnx"));
    const testing::Reference ref = load_reference(file(name + ".json"));
    EXPECT_TRUE(testing::within_float_tolerance(model, ref.x, ref.y, model.predict(ref.x))) << name;
  }

  static std::string error_of(const std::string& name, ErrorKind* kind) {
    try {
      load_onnx(file(name + ".onnx"));
    } catch (const Error& e) {
      *kind = e.kind();
      return e.what();
    }
    return "";
  }

  static testing::TempDir* dir_;
  static std::string problem_;
  static bool skip_;
};
testing::TempDir* OpGraphs::dir_ = nullptr;
std::string OpGraphs::problem_;
bool OpGraphs::skip_ = false;

TEST_F(OpGraphs, GemmWithAlphaBetaAndUntransposedWeights) { expect_matches_numpy("gemm"); }
TEST_F(OpGraphs, MatMulAddClipAndSoftmaxInOpset9) { expect_matches_numpy("matmul_add"); }

TEST_F(OpGraphs, SubDivBecomeTheNormalizationAndBatchNormalizationOnFeatures) {
  expect_matches_numpy("normalize_bn");
  Model model = load_onnx(file("normalize_bn.onnx"));
  EXPECT_NE(model.metadata.normalization.kind, NormalizationKind::kNone);
  EXPECT_EQ(model.layer(0).kind(), LayerKind::kBatchNorm);
}

TEST_F(OpGraphs, ChannelsLastInputTransposedToNchwConvSameGlobalPoolReshapeMatMul) {
  expect_matches_numpy("nhwc_conv");
  EXPECT_EQ(load_onnx(file("nhwc_conv.onnx")).input_shape().to_string(), "4x4x2");
}

TEST_F(OpGraphs, DequantizeLinearOfWeightsIsFolded) { expect_matches_numpy("qdq_weights"); }

TEST_F(OpGraphs, AnUnsupportedOpIsRefusedNamingTheNodeAndOp) {
  ErrorKind kind{};
  const std::string message = error_of("bad_op", &kind);
  EXPECT_EQ(kind, ErrorKind::kUnsupported);
  EXPECT_NE(message.find("bad_op.onnx: node 'erf_1' (Erf): op is not supported"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST_F(OpGraphs, AnUnsupportedAttributeIsRefusedNamingTheNode) {
  ErrorKind kind{};
  const std::string message = error_of("bad_dilation", &kind);
  EXPECT_EQ(kind, ErrorKind::kUnsupported);
  EXPECT_NE(message.find("node 'dilated' (Conv): dilations [2, 2] are not supported"), std::string::npos) << message;
}

TEST_F(OpGraphs, AnUnsupportedOpsetIsRefused) {
  ErrorKind kind{};
  const std::string message = error_of("bad_opset", &kind);
  EXPECT_EQ(kind, ErrorKind::kUnsupported);
  EXPECT_NE(message.find("opset 18 of the default domain is not supported (7 to 17)"), std::string::npos) << message;
}

TEST(OnnxImport, BytesThatAreNotOnnxAreAFormatError) {
  try {
    import_onnx("certainly not protobuf \xff\xff\xff", "junk.onnx");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kFormat);
    EXPECT_EQ(e.location(), "junk.onnx");
  }
}

}  // namespace
}  // namespace tinymlops
