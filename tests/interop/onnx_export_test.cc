// ONNX export: float and int8 models pass the ONNX checker (libonnx's C++
// checker), and a float model exported then imported gives identical outputs.
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "nn/rounding_bound.h"
#include "test_util.h"
#include "tinymlops/compress/ptq.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"
#include "tinymlops/interop/onnx_export.h"
#include "tinymlops/interop/onnx_import.h"
#include "tinymlops/nn/layers.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops {
namespace {

Matrix random_rows(Eigen::Index rows, Eigen::Index cols, uint64_t seed, float spread = 1.0f) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < cols; ++c) m(r, c) = spread * rng.normal();
  }
  return m;
}

Model mlp() {
  Model model(Shape{{5}});
  model.add(std::make_unique<Dense>(8));
  model.add(std::make_unique<Activation>(ActivationKind::kRelu));
  model.add(std::make_unique<Dense>(6));
  model.add(std::make_unique<Activation>(ActivationKind::kTanh));
  model.add(std::make_unique<Dense>(3));
  model.add(std::make_unique<Activation>(ActivationKind::kSoftmax));
  model.build(Initializer::kGlorotUniform, 3);
  ModelMetadata& meta = model.metadata;
  meta.feature_names = {"f0", "f1", "f2", "f3", "f4"};
  meta.label_name = "kind";
  meta.class_names = {"a", "b", "c"};
  meta.normalization = fit_normalization(NormalizationKind::kMinMax, random_rows(50, 5, 9, 3.0f));
  return model;
}

// Conv (same) + BatchNorm + ReLU6, depthwise (x2) + swish, max pool, dense, softmax.
Model cnn() {
  Model model(Shape{{6, 6, 2}});
  model.add(std::make_unique<Conv2D>(4, std::array<int, 2>{3, 3}, std::array<int, 2>{1, 1}, Padding::kSame));
  model.add(std::make_unique<BatchNorm>(0.9f, 1e-3f));
  model.add(std::make_unique<Activation>(ActivationKind::kRelu6));
  model.add(std::make_unique<DepthwiseConv2D>(std::array<int, 2>{3, 3}, std::array<int, 2>{1, 1}, Padding::kValid, 2));
  model.add(std::make_unique<Activation>(ActivationKind::kSwish));
  model.add(std::make_unique<Pool>(LayerKind::kMaxPool, std::array<int, 2>{2, 2}, std::array<int, 2>{2, 2}));
  model.add(std::make_unique<Flatten>());
  model.add(std::make_unique<Dense>(3));
  model.add(std::make_unique<Activation>(ActivationKind::kSoftmax));
  model.build(Initializer::kHeNormal, 5);
  Rng rng(11);
  for (Param* p : model.layer(1).params()) {
    for (Eigen::Index i = 0; i < p->value.size(); ++i) {
      const float u = rng.uniform();
      p->value[i] = p->name == "running_var" ? 0.5f + u : p->name == "gamma" ? 0.5f + u : u - 0.5f;
    }
  }
  ModelMetadata& meta = model.metadata;
  for (int i = 0; i < 72; ++i) meta.feature_names.push_back("p" + std::to_string(i));
  meta.label_name = "digit";
  meta.class_names = {"0", "1", "2"};
  return model;
}

onnx::ModelProto checked(const std::string& bytes) {
  onnx::ModelProto proto;
  EXPECT_TRUE(proto.ParseFromString(bytes));
  EXPECT_NO_THROW(onnx::checker::check_model(proto));
  return proto;
}

TEST(OnnxExport, FloatMlpPassesTheCheckerAndRoundTripsToIdenticalOutputs) {
  Model original = mlp();
  const DeployModel deployed = lower_model(original);
  const std::string bytes = export_onnx(deployed);
  const onnx::ModelProto proto = checked(bytes);
  EXPECT_EQ(proto.graph().input(0).name(), "input");
  EXPECT_EQ(proto.graph().output(0).name(), "output");
  EXPECT_EQ(proto.graph().node(0).op_type(), "Sub");  // the normalization is in the graph
  EXPECT_EQ(proto.graph().node(1).op_type(), "Mul");

  Model imported = import_onnx(bytes, "mlp.onnx");
  EXPECT_EQ(imported.metadata.feature_names, original.metadata.feature_names);
  EXPECT_EQ(imported.metadata.class_names, original.metadata.class_names);
  EXPECT_EQ(imported.metadata.label_name, "kind");
  EXPECT_EQ(imported.metadata.normalization.kind, NormalizationKind::kMinMax);
  const Matrix rows = random_rows(40, 5, 21, 3.0f);
  const Matrix a = original.predict(rows), b = imported.predict(rows);
  EXPECT_TRUE(a == b) << "max diff " << (a - b).cwiseAbs().maxCoeff();
}

TEST(OnnxExport, FloatCnnRoundTripsToIdenticalDeployedOutputs) {
  Model original = cnn();
  const DeployModel deployed = lower_model(original);
  const std::string bytes = export_onnx(deployed);
  checked(bytes);
  Model imported = import_onnx(bytes, "cnn.onnx");
  EXPECT_EQ(imported.input_shape().to_string(), "6x6x2");
  const DeployModel again = lower_model(imported);
  ASSERT_EQ(again.ops.size(), deployed.ops.size());
  const Matrix rows = random_rows(12, 72, 22);
  ReferenceEngine before(deployed), after(again);
  const Matrix a = before.predict(rows), b = after.predict(rows);
  EXPECT_TRUE(a == b) << "max diff " << (a - b).cwiseAbs().maxCoeff();
  // The trained model (batch norm not folded) agrees to float rounding.
  EXPECT_TRUE(testing::within_float_tolerance(original, rows, original.predict(rows), imported.predict(rows)));
}

TEST(OnnxExport, Int8ModelIsWrittenInQdqFormWithPerChannelWeights) {
  Model original = cnn();
  const DeployModel float_model = lower_model(original);
  const Matrix calibration = random_rows(64, 72, 23);
  const DeployModel int8 = quantize_int8(float_model, calibration, PtqOptions{});
  const std::string bytes = export_onnx(int8);
  const onnx::ModelProto proto = checked(bytes);
  int per_channel = 0, quantize = 0;
  for (const auto& node : proto.graph().node()) {
    if (node.op_type() == "QuantizeLinear") ++quantize;
    if (node.op_type() != "DequantizeLinear") continue;
    for (const auto& a : node.attribute()) per_channel += a.name() == "axis" && a.i() == 0;
  }
  EXPECT_GE(per_channel, 6);  // weights and biases of 3 ops
  EXPECT_GE(quantize, 4);
  // Imported back, the QDQ graph is the float model of the int8 weights: the
  // last FC's weights are exactly scale[o] * q[o][i], and the outputs are within
  // quantization error of the int8 engine (activation rounding is dropped).
  Model imported = import_onnx(bytes, "int8.onnx");
  const DeployOp& fc = int8.ops[int8.ops.size() - 3];  // FC, Dequantize, Softmax
  ASSERT_EQ(fc.kind, OpKind::kFullyConnected);
  const DeployTensor& w = int8.tensors[size_t(fc.inputs[1])];
  const std::vector<int8_t> q = tensor_int8(w);
  const Param* dense = imported.layer(imported.num_layers() - 2).params()[0];
  const int in = w.shape[1];
  ASSERT_EQ(dense->value.size(), in * 3);
  for (int i = 0; i < in; ++i) {
    for (int o = 0; o < 3; ++o) ASSERT_EQ(dense->value[i * 3 + o], float(q[size_t(o * in + i)]) * w.scales[size_t(o)]);
  }
  const Matrix rows = random_rows(20, 72, 24);
  ReferenceEngine engine(int8);
  EXPECT_LE((engine.predict(rows) - imported.predict(rows)).cwiseAbs().maxCoeff(), 0.1f);
}

TEST(OnnxExport, Int16ActivationsAreRefused) {
  Model original = mlp();
  PtqOptions options;
  options.activation_bits = 16;
  const DeployModel int16 = quantize_int8(lower_model(original), random_rows(32, 5, 25), options);
  try {
    export_onnx(int16);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("int16 activations"), std::string::npos) << e.what();
  }
}

TEST(OnnxExport, SameModelSameBytes) {
  Model a = mlp(), b = mlp();
  EXPECT_EQ(export_onnx(lower_model(a)), export_onnx(lower_model(b)));
}

}  // namespace
}  // namespace tinymlops
