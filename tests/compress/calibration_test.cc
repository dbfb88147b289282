// calibration.h: ranges from observed values and the int8 parameters.
#include "tinymlops/compress/calibration.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tinymlops/core/error.h"
#include "tinymlops/core/rng.h"

namespace tinymlops {
namespace {

std::vector<float> normal_with_outlier(float outlier) {
  Rng rng(1);
  std::vector<float> values;
  for (int i = 0; i < 20000; ++i) values.push_back(rng.normal());
  values.push_back(outlier);
  return values;
}

TEST(Calibration, MinMaxIsTheObservedRangeWithZero) {
  QuantRange r = choose_range({0.5f, 2.0f, 1.0f}, Calibration::kMinMax);
  EXPECT_EQ(r.low, 0.0f);
  EXPECT_EQ(r.high, 2.0f);
  r = choose_range({-3.0f, -1.0f}, Calibration::kMinMax);
  EXPECT_EQ(r.low, -3.0f);
  EXPECT_EQ(r.high, 0.0f);
}

TEST(Calibration, PercentileClipsAFarOutlier) {
  const std::vector<float> values = normal_with_outlier(60.0f);
  EXPECT_EQ(choose_range(values, Calibration::kMinMax).high, 60.0f);
  const QuantRange r = choose_range(values, Calibration::kPercentile);
  EXPECT_LT(r.high, 5.0f);
  EXPECT_GT(r.high, 3.0f);
  EXPECT_LT(r.low, -3.0f);
}

// MSE and KL weigh the outlier's own error: they may keep it, but they stay
// inside the observed range and keep the bulk of the values.
TEST(Calibration, MseAndKlStayInsideTheObservedRange) {
  const std::vector<float> values = normal_with_outlier(60.0f);
  const QuantRange full = choose_range(values, Calibration::kMinMax);
  for (Calibration c : {Calibration::kMse, Calibration::kKl}) {
    const QuantRange r = choose_range(values, c);
    EXPECT_LE(r.high, full.high) << calibration_name(c);
    EXPECT_GE(r.low, full.low) << calibration_name(c);
    EXPECT_GT(r.high, 2.5f) << calibration_name(c);
    EXPECT_LT(r.low, -2.5f) << calibration_name(c);
  }
}

TEST(Calibration, MseNeverLosesToMinMax) {
  const std::vector<float> values = normal_with_outlier(12.0f);
  auto error = [&](const QuantRange& r) {
    float scale = 0;
    int32_t zp = 0;
    int8_params(r, &scale, &zp);
    double sum = 0;
    for (float v : values) {
      double q = std::clamp(std::round(static_cast<double>(v) / scale) + zp, -128.0, 127.0);
      sum += std::pow(v - scale * (q - zp), 2);
    }
    return sum;
  };
  EXPECT_LE(error(choose_range(values, Calibration::kMse)), error(choose_range(values, Calibration::kMinMax)));
}

TEST(Calibration, Int8ParamsMapLowToMinus128AndZeroExactly) {
  float scale = 0;
  int32_t zp = 0;
  int8_params({-1.0f, 3.0f}, &scale, &zp);
  EXPECT_FLOAT_EQ(scale, 4.0f / 255);
  EXPECT_EQ(zp, -128 + static_cast<int32_t>(std::lround(1.0 / (4.0 / 255))));
  int8_params({0.0f, 6.0f}, &scale, &zp);  // after ReLU: zero is the lowest code
  EXPECT_EQ(zp, -128);
  int8_params({-2.0f, 0.0f}, &scale, &zp);
  EXPECT_EQ(zp, 127);
  int8_params({0.0f, 0.0f}, &scale, &zp);  // a tensor that is always zero
  EXPECT_EQ(scale, 1.0f);
  EXPECT_EQ(zp, -128);
}

TEST(Calibration, NamesRoundTripAndUnknownIsUsageError) {
  for (Calibration c : {Calibration::kMinMax, Calibration::kPercentile, Calibration::kMse, Calibration::kKl}) {
    EXPECT_EQ(parse_calibration(calibration_name(c)), c);
  }
  try {
    parse_calibration("entropy");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find("minmax"), std::string::npos);
  }
}

}  // namespace
}  // namespace tinymlops
