// ONNX export: a pass over a DeployModel that writes an ONNX ModelProto
// (opset 13, IR version 7) through Debian's libonnx protobuf classes.
//
// The graph takes the raw feature rows, input "input" of shape [batch, F], and
// gives output "output" of shape [batch, output size]: the same numbers, in the
// same order, as ReferenceEngine::predict. Inside:
//   - the normalization as Sub(offset) then Mul(scale) ("normalize/...");
//   - images as NCHW (a Reshape to [batch, H, W, C] and a Transpose in front of
//     the first convolution or pooling; the reverse before a flattening op);
//     sequences are images of height 1;
//   - FC as Gemm (transB = 1), convolutions as Conv (depthwise: group = C),
//     fused ReLU/ReLU6 as Relu/Clip, swish as Sigmoid and Mul;
//   - int8 models in QDQ form: each int8 activation is QuantizeLinear then
//     DequantizeLinear with its scale and zero point; int8 weights (and int4,
//     codebook and sparse ones, expanded to int8 values) are int8 initializers
//     read through DequantizeLinear with one scale per output channel (axis 0)
//     where the model has them, int32 biases likewise; float16 weights are
//     float16 initializers read through Cast.
// The model's task, feature names, label, class names and normalization kind
// go into metadata_props ("tinymlops.*"), so import_onnx restores them.
#pragma once

#include <filesystem>
#include <string>

#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {

// The serialized ModelProto. Throws Error(kUnsupported) naming "ops[i] (kind)"
// for what opset 13 cannot express (int16x8 activations).
std::string export_onnx(const DeployModel& model);

// export_onnx written atomically to `path`.
void save_onnx(const DeployModel& model, const std::filesystem::path& path);

}  // namespace tinymlops
