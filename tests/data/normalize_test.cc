// Black-box tests of include/tinymlops/data/normalize.h.
#include "tinymlops/data/normalize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "error_expect.h"
#include "tinymlops/core/error.h"

namespace tinymlops {
namespace {

using testing::catch_error;

// Column 0: 1..4 (mean 2.5, population std sqrt(1.25)); column 1: -10, 0, 10, 40;
// column 2: constant 7.
Matrix sample() {
  Matrix m(4, 3);
  m << 1, -10, 7,  //
      2, 0, 7,     //
      3, 10, 7,    //
      4, 40, 7;
  return m;
}

TEST(NormalizationName, RoundTrip) {
  for (NormalizationKind kind :
       {NormalizationKind::kNone, NormalizationKind::kStandard, NormalizationKind::kMinMax}) {
    EXPECT_EQ(parse_normalization(normalization_name(kind)), kind);
  }
  EXPECT_STREQ(normalization_name(NormalizationKind::kNone), "none");
  EXPECT_STREQ(normalization_name(NormalizationKind::kStandard), "standard");
  EXPECT_STREQ(normalization_name(NormalizationKind::kMinMax), "minmax");
}

TEST(NormalizationName, UnknownNameIsUsageError) {
  for (const char* name : {"", "zscore", "Standard", "min-max", "min_max"}) {
    SCOPED_TRACE(name);
    auto e = catch_error([&] { parse_normalization(name); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), ErrorKind::kUsage);
  }
}

TEST(Normalization, StandardFitsMeanAndPopulationStd) {
  Normalization n = fit_normalization(NormalizationKind::kStandard, sample());
  EXPECT_EQ(n.kind, NormalizationKind::kStandard);
  ASSERT_EQ(n.offset.size(), 3);
  ASSERT_EQ(n.scale.size(), 3);
  EXPECT_NEAR(n.offset(0), 2.5, 1e-6);
  EXPECT_NEAR(n.scale(0), 1.0 / std::sqrt(1.25), 1e-5);
  EXPECT_NEAR(n.offset(1), 10.0, 1e-5);
  // Column 1 deviations: -20, -10, 0, 30 -> variance (400+100+0+900)/4 = 350.
  EXPECT_NEAR(n.scale(1), 1.0 / std::sqrt(350.0), 1e-6);
}

TEST(Normalization, StandardGivesMeanZeroAndPopulationStdOne) {
  Matrix m = sample();
  Normalization n = fit_normalization(NormalizationKind::kStandard, m);
  n.apply(m);
  for (int c = 0; c < 2; ++c) {
    double mean = 0, sq = 0;
    for (int r = 0; r < m.rows(); ++r) mean += m(r, c);
    mean /= static_cast<double>(m.rows());
    for (int r = 0; r < m.rows(); ++r) sq += (m(r, c) - mean) * (m(r, c) - mean);
    EXPECT_NEAR(mean, 0.0, 1e-5) << "column " << c;
    EXPECT_NEAR(std::sqrt(sq / static_cast<double>(m.rows())), 1.0, 1e-5) << "column " << c;
  }
}

TEST(Normalization, StandardIsAccurateForLargeOffsets) {
  // Sensor-like data: a large baseline with small variation (all values exact in
  // float). A naive float E[x^2] - E[x]^2 loses every digit here.
  Matrix m(4, 1);
  m << 10000, 10001, 10002, 10003;
  Normalization n = fit_normalization(NormalizationKind::kStandard, m);
  EXPECT_NEAR(n.offset(0), 10001.5, 1e-3);
  EXPECT_NEAR(n.scale(0), 1.0 / std::sqrt(1.25), 1e-4);
  n.apply(m);
  EXPECT_NEAR(m(0, 0), -1.5 / std::sqrt(1.25), 1e-3);
  EXPECT_NEAR(m(3, 0), 1.5 / std::sqrt(1.25), 1e-3);
}

TEST(Normalization, MinMaxMapsToUnitInterval) {
  Matrix m = sample();
  Normalization n = fit_normalization(NormalizationKind::kMinMax, m);
  EXPECT_EQ(n.kind, NormalizationKind::kMinMax);
  ASSERT_EQ(n.offset.size(), 3);
  EXPECT_FLOAT_EQ(n.offset(0), 1);
  EXPECT_FLOAT_EQ(n.scale(0), 1.0f / 3.0f);
  EXPECT_FLOAT_EQ(n.offset(1), -10);
  EXPECT_FLOAT_EQ(n.scale(1), 1.0f / 50.0f);
  n.apply(m);
  EXPECT_NEAR(m(0, 0), 0, 1e-6);
  EXPECT_NEAR(m(1, 0), 1.0 / 3, 1e-6);
  EXPECT_NEAR(m(3, 0), 1, 1e-6);
  EXPECT_NEAR(m(0, 1), 0, 1e-6);
  EXPECT_NEAR(m(1, 1), 0.2, 1e-6);
  EXPECT_NEAR(m(3, 1), 1, 1e-6);
  for (int r = 0; r < m.rows(); ++r) {
    for (int c = 0; c < 2; ++c) {
      EXPECT_GE(m(r, c), -1e-6f);
      EXPECT_LE(m(r, c), 1 + 1e-6f);
    }
  }
}

TEST(Normalization, ConstantColumnGetsScaleOneAndMapsToZero) {
  for (NormalizationKind kind : {NormalizationKind::kStandard, NormalizationKind::kMinMax}) {
    SCOPED_TRACE(normalization_name(kind));
    Matrix m = sample();
    Normalization n = fit_normalization(kind, m);
    EXPECT_EQ(n.scale(2), 1.0f);
    EXPECT_EQ(n.offset(2), 7.0f);
    n.apply(m);
    for (int r = 0; r < m.rows(); ++r) {
      EXPECT_TRUE(std::isfinite(m(r, 2)));
      EXPECT_EQ(m(r, 2), 0.0f);
    }
    EXPECT_TRUE(m.allFinite());
  }
}

TEST(Normalization, SingleRowIsAllConstant) {
  Matrix one(1, 2);
  one << 3, -4;
  for (NormalizationKind kind : {NormalizationKind::kStandard, NormalizationKind::kMinMax}) {
    Matrix m = one;
    Normalization n = fit_normalization(kind, m);
    n.apply(m);
    EXPECT_EQ(m(0, 0), 0.0f);
    EXPECT_EQ(m(0, 1), 0.0f);
  }
}

TEST(Normalization, AppliesTheFittedMapToOtherData) {
  Normalization n = fit_normalization(NormalizationKind::kMinMax, sample());
  Matrix other(1, 3);
  other << 7, 90, 8;
  n.apply(other);
  EXPECT_NEAR(other(0, 0), 2.0, 1e-6);   // (7 - 1) / 3
  EXPECT_NEAR(other(0, 1), 2.0, 1e-6);   // (90 + 10) / 50
  EXPECT_NEAR(other(0, 2), 1.0, 1e-6);   // (8 - 7) * 1
}

TEST(Normalization, NoneIsIdentity) {
  Matrix m = sample();
  Normalization n = fit_normalization(NormalizationKind::kNone, m);
  EXPECT_EQ(n.kind, NormalizationKind::kNone);
  EXPECT_EQ(n.offset.size(), 0);
  EXPECT_EQ(n.scale.size(), 0);
  n.apply(m);
  EXPECT_EQ(m, sample());
}

TEST(Normalization, DefaultConstructedIsNoneAndIdentity) {
  Normalization n;
  EXPECT_EQ(n.kind, NormalizationKind::kNone);
  Matrix m = sample();
  n.apply(m);
  EXPECT_EQ(m, sample());
}

}  // namespace
}  // namespace tinymlops
