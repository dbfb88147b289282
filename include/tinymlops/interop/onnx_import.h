// ONNX import: a sequential ONNX graph, as PyTorch (torch.onnx.export),
// tf2onnx or export_onnx write it, becomes a trained Model.
//
// Imported ops (default domain, opsets 7 to 17): Gemm, MatMul (+ Add of a
// constant bias), Conv (1-D and 2-D; group 1, or depthwise), Relu, Clip (as
// ReLU or ReLU6), LeakyRelu, Elu, Softplus, Sigmoid, Tanh, Sigmoid then Mul (swish),
// Softmax over the whole sample, MaxPool, AveragePool, GlobalAveragePool,
// Flatten, Reshape (to flat, or from the flat input to an image), Transpose
// (NHWC <-> NCHW), BatchNormalization, Identity, Dropout, Pad of zeros,
// Constant, and Sub/Mul/Div by constants before the first layer (the input
// normalization). DequantizeLinear and Cast of constant weights are folded;
// QuantizeLinear + DequantizeLinear on activations (QDQ models) are dropped, so
// a quantized ONNX model comes in as its float model.
//
// Layout: ONNX images are NCHW, the Model is channels-last. An NCHW input
// [N, C, H, W] becomes the input {H, W, C} (CSV columns in H, W, C order, the
// same as PyTorch's order when C = 1); an input followed by a Transpose to NCHW
// (tf2onnx, export_onnx) is already channels-last. The weights of a Gemm after
// flattening a CHW tensor are permuted to the Model's order, so outputs agree.
//
// Metadata: "tinymlops.*" metadata_props when present (export_onnx writes
// them); otherwise features "x0".."x{F-1}" and, when the graph ends in
// Softmax, classification with classes "0".."K-1", else regression of
// "target". The caller may override (interop/import_job.h).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "tinymlops/nn/model.h"

namespace tinymlops {

// `source` names the bytes in errors. Throws Error(kFormat) for bytes that are
// not an ONNX model, Error(kUnsupported) for an op, attribute or opset this
// importer does not take, naming the node and its op:
//   "model.onnx: node 'conv1' (Conv): dilations [2, 2] are not supported"
Model import_onnx(std::string_view bytes, const std::string& source);

Model load_onnx(const std::filesystem::path& path);

}  // namespace tinymlops
