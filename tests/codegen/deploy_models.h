// Deploy models of every variant the C emitter handles, shared by the codegen
// and deploy tests (tests/deploy includes "codegen/deploy_models.h").
//
// Float models are random models (runtime/model_fixtures.h) lowered in
// process. Compressed ones are made the way a user makes them, by the
// `tinymlops quantize` command (these test binaries do not link the compress
// library): the float model is saved with a CSV of random rows labelled by its
// own predictions, then quantized. Each model is built once per process.
#pragma once

#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/model_fixtures.h"
#include "test_util.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/nn/model_file.h"
#include "tinymlops/runtime/deploy_model.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops::testing {

enum class Variant {
  kFloatMlp,     // dense + relu, tanh activation op, softmax (float32)
  kFloatCnn,     // conv2d, maxpool, depthwise, avgpool, dense, softmax (float32)
  kInt8Mlp,      // quantize, int8 dense, tanh lookup table, dequantize, softmax
  kInt8Cnn,      // the float CNN quantized: int8 conv2d, maxpool, depthwise, avgpool
  kInt4Mlp,      // --bits 4: packed 4-bit dense weights
  kCodebookMlp,  // weights of 9 distinct values: 4-bit indices into a codebook
  kSparseMlp,    // 70% zero weights: bitmap + nonzero values
  kFloat16Mlp,   // --method fp16: float16 dense weights, float activations
  kDynamicMlp,   // --method dynamic: int8 dense weights, float activations
  kInt16Mlp,     // --activations int16: int16x8, int16 activations, int8 weights, int64 biases
};

inline const char* variant_label(Variant v) {
  switch (v) {
    case Variant::kFloatMlp: return "FloatMlp";
    case Variant::kFloatCnn: return "FloatCnn";
    case Variant::kInt8Mlp: return "Int8Mlp";
    case Variant::kInt8Cnn: return "Int8Cnn";
    case Variant::kInt4Mlp: return "Int4Mlp";
    case Variant::kCodebookMlp: return "CodebookMlp";
    case Variant::kSparseMlp: return "SparseMlp";
    case Variant::kFloat16Mlp: return "Float16Mlp";
    case Variant::kDynamicMlp: return "DynamicMlp";
    case Variant::kInt16Mlp: return "Int16Mlp";
  }
  return "?";
}

struct TestDeployModel {
  DeployModel model;
  Matrix rows;  // raw feature rows the model was calibrated on
};

inline constexpr int kMlpInputs = 6;
inline constexpr const char* kDeployMlpLayers = "dense:12:relu,dense:8:tanh,dense:4,softmax";
inline constexpr const char* kDeployCnnLayers =
    "conv2d:4:3x3:padding=same:relu,maxpool:2,depthwise_conv2d:3x3:padding=same,relu,avgpool:2,flatten,dense:4,softmax";

inline Model mlp_model() { return random_model(Shape{{kMlpInputs}}, kDeployMlpLayers, 11); }
inline Model cnn_model() { return random_model(Shape{{8, 8, 1}}, kDeployCnnLayers, 12); }

// Applies `f` to every weight of every Dense/convolution layer.
template <typename F>
void edit_weights(Model& model, F f) {
  for (Param* p : model.params()) {
    if (p->name != "weights") continue;
    for (float& v : p->value) v = f(v);
  }
}

// `model` saved next to a CSV of `rows` labelled with its own argmax, run
// through `tinymlops quantize ... extra_flags`, loaded back.
inline DeployModel quantize_with_cli(Model& model, const Matrix& rows, const std::vector<std::string>& extra_flags) {
  TempDir dir;
  const std::string model_path = (dir.path() / "m.tmlm").string();
  const std::string data_path = (dir.path() / "d.csv").string();
  const std::string out_path = (dir.path() / "q.tdm").string();
  save_model(model, model_path);
  const Matrix predictions = model.predict(rows);
  std::string csv;
  for (const std::string& name : model.metadata.feature_names) csv += name + ",";
  csv += model.metadata.label_name + "\n";
  char number[32];
  for (Eigen::Index r = 0; r < rows.rows(); ++r) {
    for (Eigen::Index c = 0; c < rows.cols(); ++c) {
      std::snprintf(number, sizeof number, "%.9g,", static_cast<double>(rows(r, c)));
      csv += number;
    }
    Eigen::Index best = 0;
    predictions.row(r).maxCoeff(&best);
    csv += model.metadata.class_names[static_cast<size_t>(best)] + "\n";
  }
  write_file_atomic(data_path, csv);
  std::vector<std::string> args{"quantize", model_path, "--data", data_path, "--out", out_path, "-q"};
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  const CommandResult result = run_cli(args);
  if (result.exit_code != 0) throw std::runtime_error("tinymlops quantize failed: " + result.err + result.out);
  return load_deploy_model(out_path);
}

inline TestDeployModel make_test_deploy_model(Variant v) {
  const bool cnn = v == Variant::kFloatCnn || v == Variant::kInt8Cnn;
  Model model = cnn ? cnn_model() : mlp_model();
  TestDeployModel result;
  result.rows = random_inputs(200, cnn ? 64 : kMlpInputs, 21);
  switch (v) {
    case Variant::kFloatMlp:
    case Variant::kFloatCnn: result.model = lower_model(model); break;
    case Variant::kInt8Mlp:
    case Variant::kInt8Cnn: result.model = quantize_with_cli(model, result.rows, {}); break;
    case Variant::kInt4Mlp: result.model = quantize_with_cli(model, result.rows, {"--bits", "4"}); break;
    case Variant::kCodebookMlp:
      edit_weights(model, [](float w) { return std::round(w * 4) / 4; });  // 9 levels in [-1, 1]
      result.model = quantize_with_cli(model, result.rows, {});
      break;
    case Variant::kSparseMlp:
      edit_weights(model, [](float w) { return std::abs(w) < 0.7f ? 0.0f : w; });
      result.model = quantize_with_cli(model, result.rows, {});
      break;
    case Variant::kFloat16Mlp: result.model = quantize_with_cli(model, result.rows, {"--method", "fp16"}); break;
    case Variant::kDynamicMlp: result.model = quantize_with_cli(model, result.rows, {"--method", "dynamic"}); break;
    case Variant::kInt16Mlp: result.model = quantize_with_cli(model, result.rows, {"--activations", "int16"}); break;
  }
  return result;
}

// The model of variant `v`, built on first use.
inline const TestDeployModel& test_deploy_model(Variant v) {
  static std::map<Variant, TestDeployModel> cache;
  auto it = cache.find(v);
  if (it == cache.end()) it = cache.emplace(v, make_test_deploy_model(v)).first;
  return it->second;
}

// True when some constant tensor read by a fully-connected op has `dtype`.
inline bool has_weights_of(const DeployModel& model, DType dtype) {
  for (const DeployOp& op : model.ops) {
    if (op.kind == OpKind::kFullyConnected && model.tensors[static_cast<size_t>(op.inputs[1])].dtype == dtype) {
      return true;
    }
  }
  return false;
}

inline bool has_op(const DeployModel& model, OpKind kind) {
  for (const DeployOp& op : model.ops) {
    if (op.kind == kind) return true;
  }
  return false;
}

}  // namespace tinymlops::testing
