// int16x8 deploy models: validation, the version-2 file, and the reference
// engine running the int16 kernels.
#include <gtest/gtest.h>

#include <cmath>

#include "model_fixtures.h"
#include "test_util.h"
#include "tinymlops/core/container.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/deploy_model.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"
#include "tinymlops/runtime/quant_math.h"

namespace tinymlops {
namespace {

constexpr float kInputScale = 4.0f / 32767, kHiddenScale = 8.0f / 32767, kOutputScale = 1.0f / 32767;
const std::vector<float> kWeightScales = {0.01f, 0.02f};
const std::vector<int8_t> kWeights = {100, -50, 127, -127, 64, 0};  // [2][3]
const std::vector<float> kBias = {0.5f, -0.25f};

DeployTensor activation(const std::string& name, DType dtype, int size, float scale) {
  DeployTensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = {size};
  if (dtype != DType::kFloat32) t.scales = {scale};
  return t;
}

// x (3 floats) -> quantize int16 -> fully connected (int8 weights, int64 bias,
// fused ReLU) -> sigmoid as an int16 table -> dequantize.
DeployModel hand_model() {
  DeployModel m;
  m.metadata.feature_names = {"f0", "f1", "f2"};
  m.input = m.add_tensor(activation("x", DType::kFloat32, 3, 0));
  const int x_q = m.add_tensor(activation("x_q", DType::kInt16, 3, kInputScale));
  DeployTensor w = activation("w", DType::kInt8, 6, 0);
  w.shape = {2, 3};
  w.scales = kWeightScales;
  w.data = bytes_of(kWeights);
  DeployTensor b = activation("b", DType::kInt64, 2, 0);
  std::vector<int64_t> bias;
  b.scales.clear();
  for (size_t c = 0; c < 2; ++c) {
    const double scale = static_cast<double>(kInputScale) * kWeightScales[c];
    b.scales.push_back(static_cast<float>(scale));
    bias.push_back(std::llround(kBias[c] / scale));
  }
  b.data = bytes_of(bias);
  const int w_index = m.add_tensor(w), b_index = m.add_tensor(b);
  const int hidden = m.add_tensor(activation("h", DType::kInt16, 2, kHiddenScale));
  const int squashed = m.add_tensor(activation("s", DType::kInt16, 2, kOutputScale));
  m.output = m.add_tensor(activation("y", DType::kFloat32, 2, 0));
  m.ops.push_back({OpKind::kQuantize, {m.input}, x_q});
  DeployOp fc{OpKind::kFullyConnected, {x_q, w_index, b_index}, hidden};
  fc.activation = DeployActivation::kRelu;
  m.ops.push_back(fc);
  DeployOp sigmoid{OpKind::kLookup, {hidden}, squashed};
  sigmoid.activation = DeployActivation::kSigmoid;
  m.ops.push_back(sigmoid);
  m.ops.push_back({OpKind::kDequantize, {squashed}, m.output});
  m.variant = "int16x8";
  return m;
}

std::string validation_error(const DeployModel& model) {
  try {
    model.validate("m.tdm");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Int16x8Model, EngineMatchesTheFloatComputationClosely) {
  const DeployModel model = hand_model();
  ASSERT_EQ(validation_error(model), "");
  ReferenceEngine engine(model);
  for (const std::vector<float>& x : std::vector<std::vector<float>>{
           {1.0f, -2.0f, 0.5f}, {-3.9f, 3.9f, 0.0f}, {0.0f, 0.0f, 0.0f}, {2.5f, 1.25f, -3.0f}}) {
    engine.run(x.data());
    const std::vector<float> y = engine.tensor_values(model.output);
    for (size_t c = 0; c < 2; ++c) {
      double h = kBias[c];
      for (size_t i = 0; i < 3; ++i) h += static_cast<double>(kWeights[c * 3 + i]) * kWeightScales[c] * x[i];
      const double expected = 1 / (1 + std::exp(-std::max(h, 0.0)));
      // int8 would be off by about 1e-2 here; int16x8 by a few 1e-4.
      EXPECT_NEAR(y[c], expected, 1e-3) << "x0 " << x[0] << " c " << c;
    }
  }
}

TEST(Int16x8Model, FileIsVersionTwoAndRoundTrips) {
  const DeployModel model = hand_model();
  EXPECT_EQ(deploy_format_version(model), 2u);
  const std::string bytes = serialize_deploy_model(model);
  EXPECT_EQ(get_le<uint32_t>(bytes, 8), 2u);
  const DeployModel loaded = parse_deploy_model(bytes, "m.tdm");
  EXPECT_EQ(serialize_deploy_model(loaded), bytes);
  EXPECT_EQ(loaded.tensors[3].dtype, DType::kInt64);
  EXPECT_EQ(tensor_int64(loaded.tensors[3]), tensor_int64(model.tensors[3]));
}

TEST(Int16x8Model, VersionOneFileWithInt16TensorsIsRefused) {
  const std::string bytes = serialize_deploy_model(hand_model());
  const uint32_t meta_length = get_le<uint32_t>(bytes, 12);
  const uint64_t data_length = get_le<uint64_t>(bytes, 16);
  const ContainerKind v1 = {"TMLDEPLY", "deploy model", 1};
  const std::string old = pack_container(v1, std::string_view(bytes).substr(24, meta_length),
                                         std::string_view(bytes).substr(24 + meta_length, data_length));
  try {
    parse_deploy_model(old, "m.tdm");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kFormat);
    EXPECT_NE(std::string(e.what()).find("format version 2"), std::string::npos) << e.what();
  }
}

TEST(Int16x8Model, ValidateRefusesBrokenInt16x8Ops) {
  const DeployModel model = hand_model();

  DeployModel broken = model;
  broken.tensors[1].zero_point = 3;  // int16 is symmetric
  EXPECT_NE(validation_error(broken).find("zero point 0"), std::string::npos) << validation_error(broken);

  broken = model;
  DeployTensor& bias = broken.tensors[3];
  bias.dtype = DType::kInt32;  // int16x8 biases are int64
  bias.data.resize(8);
  EXPECT_NE(validation_error(broken).find("int64 bias"), std::string::npos) << validation_error(broken);

  broken = model;
  broken.tensors[4].dtype = DType::kInt8;  // an int8 output of an int16 input
  broken.tensors[4].zero_point = 0;
  EXPECT_NE(validation_error(broken).find("ops[1]"), std::string::npos) << validation_error(broken);

  broken = model;
  broken.tensors[2].dtype = DType::kInt4;
  broken.tensors[2].data = packed_int4({1, 2, 3, 4, 5, 6});
  EXPECT_NE(validation_error(broken).find("int8 weights"), std::string::npos) << validation_error(broken);

  broken = model;
  const std::vector<int64_t> huge = {(int64_t{1} << 62) + 1, 0};  // beyond the kernels' contract
  broken.tensors[3].data = bytes_of(huge);
  EXPECT_NE(validation_error(broken).find("2^62"), std::string::npos) << validation_error(broken);
}

TEST(Int16x8Model, Relu6ClampAndTableFollowTheScales) {
  DeployModel model = hand_model();
  model.ops[1].activation = DeployActivation::kRelu6;
  const tml_q16_params p = op_q16_params(model, model.ops[1]);
  EXPECT_EQ(p.act_min, 0);
  EXPECT_EQ(p.act_max, std::lround(6.0 / kHiddenScale));  // 24575
  const std::vector<int16_t> table = lookup_table_s16(model, model.ops[2]);
  ASSERT_EQ(table.size(), 513u);
  EXPECT_EQ(table[256], quantize_value_s16(0.5f, kOutputScale));  // sigmoid(0)
  EXPECT_EQ(table[0], quantize_value_s16(static_cast<float>(1 / (1 + std::exp(8.0 * 32768 / 32767))), kOutputScale));
}

TEST(Int16x8Model, ModelsWithoutInt16StayVersionOne) {
  Model trained = testing::random_model(Shape{{4}}, "dense:3:relu,dense:2", 1);
  const DeployModel model = lower_model(trained);
  EXPECT_EQ(deploy_format_version(model), 1u);
  EXPECT_EQ(get_le<uint32_t>(serialize_deploy_model(model), 8), 1u);
}

}  // namespace
}  // namespace tinymlops
