// Keras import without TensorFlow: Sequential models saved by Keras 3
// (`model.save("m.keras")`: a zip holding config.json and model.weights.h5) or
// in the legacy HDF5 format of Keras 2 (`model.save("m.h5")`: the JSON
// architecture in the root attribute "model_config", the weights under
// "model_weights/<layer>/" in the order of each group's "weight_names").
// Read with libzip and libhdf5's C API.
//
// Layers: InputLayer, Dense, Conv1D, Conv2D, DepthwiseConv2D, MaxPooling1D/2D,
// AveragePooling1D/2D, GlobalAveragePooling1D/2D, Flatten, Dropout,
// BatchNormalization, Activation, ReLU, LeakyReLU, ELU, Softmax; activations
// linear, relu, relu6, leaky_relu, elu, sigmoid, tanh, softplus, swish/silu,
// softmax. Keras is channels-last like the Model, so weights are copied as
// they are (Dense kernel {in, units}, Conv2D {KH, KW, C, F}, DepthwiseConv2D
// {KH, KW, C, M}, Conv1D {K, C, F}).
//
// Metadata as for ONNX import: features "x0"..; classification with classes
// "0".."K-1" when the model ends in softmax, else regression of "target".
#pragma once

#include <filesystem>

#include "tinymlops/nn/model.h"

namespace tinymlops {

// Throws Error(kFormat) naming the file for a damaged zip or HDF5 file or a
// missing entry, Error(kUnsupported) naming "layers[i] (ClassName)" for a
// layer or option that has no equivalent here (channels_first, dilation,
// "same" pooling, a functional model, ...).
Model load_keras(const std::filesystem::path& path);

}  // namespace tinymlops
