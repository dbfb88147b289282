// weight_only.h and float_to_half (runtime/quant_math.h).
#include "tinymlops/compress/weight_only.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "../runtime/model_fixtures.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"
#include "tinymlops/runtime/quant_math.h"
#include "tml_fully_connected.h"

namespace tinymlops {
namespace {

TEST(FloatToHalf, RoundTripsEveryHalfAndRoundsToNearestEven) {
  for (uint32_t h = 0; h < 65536; ++h) {
    if (((h >> 10) & 0x1F) == 0x1F && (h & 0x3FF)) continue;  // NaN payloads
    EXPECT_EQ(float_to_half(tml_f16_to_f32(static_cast<uint16_t>(h))), h) << h;
  }
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3C00);           // tie: to even (down)
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048), 0x3C02);           // tie: to even (up)
  EXPECT_EQ(float_to_half(65520.0f), 0x7C00);                     // rounds past the largest half
  EXPECT_EQ(float_to_half(1e-9f), 0x0000);
  EXPECT_EQ(float_to_half(-std::ldexp(1.0f, -24)), 0x8001);       // smallest subnormal
  EXPECT_EQ(float_to_half(std::nanf("")) & 0x7C00, 0x7C00);
}

TEST(WeightOnly, Float16AndInt8DenseWeightsStayCloseToFloat) {
  Model model = testing::random_model(Shape{{10}}, "dense:16:relu,dense:4,softmax", 2);
  DeployModel reference = lower_model(model);
  const Matrix rows = testing::random_inputs(30, 10, 3);
  const Matrix expected = ReferenceEngine(reference).predict(rows);
  for (DType dtype : {DType::kFloat16, DType::kInt8}) {
    DeployModel compressed = compress_weights_only(reference, dtype);
    EXPECT_EQ(compressed.tensors[static_cast<size_t>(compressed.ops[0].inputs[1])].dtype, dtype);
    EXPECT_EQ(compressed.constant_bytes(),
              reference.constant_bytes() - (10 * 16 + 16 * 4) * (dtype == DType::kFloat16 ? 2 : 3));
    const Matrix actual = ReferenceEngine(compressed).predict(rows);
    EXPECT_LT((actual - expected).cwiseAbs().maxCoeff(), dtype == DType::kFloat16 ? 1e-3f : 2e-2f);
    DeployModel loaded = parse_deploy_model(serialize_deploy_model(compressed), "w.tdm");
    EXPECT_EQ(ReferenceEngine(loaded).predict(rows), actual);
  }
  DeployModel int8 = compress_weights_only(reference, DType::kInt8);
  EXPECT_THROW(compress_weights_only(int8, DType::kFloat16), Error);
}

}  // namespace
}  // namespace tinymlops
