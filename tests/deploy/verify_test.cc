// verify.h: every model variant built for the host, a Cortex-M4 (QEMU) and an
// ATmega328P (simavr), run and compared with the reference engine; the
// report's fields checked against what they measure; a miscompiling compiler
// caught; bad requests refused.
#include "tinymlops/deploy/verify.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "codegen/deploy_models.h"
#include "tinymlops/codegen/c_emitter.h"
#include "tinymlops/compress/ptq.h"
#include "tinymlops/core/error.h"
#include "tinymlops/runtime/engine.h"
#include "tinymlops/runtime/lower.h"

namespace tinymlops {
namespace {

namespace fs = std::filesystem;
using testing::Variant;

struct VerifyCase {
  Variant variant;
  VerifyTarget target;
};

std::string verify_case_name(const ::testing::TestParamInfo<VerifyCase>& info) {
  std::string target = verify_target_name(info.param.target);
  target.erase(std::remove(target.begin(), target.end(), '-'), target.end());
  return std::string(testing::variant_label(info.param.variant)) + "_" + target;
}

// The integer entry point verify must check: 8, 16 (int16x8) or none.
int expected_integer_bits(Variant v) {
  if (v == Variant::kInt16Mlp) return 16;
  return v == Variant::kFloatMlp || v == Variant::kFloatCnn || v == Variant::kFloat16Mlp || v == Variant::kDynamicMlp
             ? 0
             : 8;
}

// The kind of weights each variant must really have, so that a change in the
// compressor cannot silently turn a case into another.
void expect_variant_is_what_it_claims(Variant v, const DeployModel& model) {
  switch (v) {
    case Variant::kFloatMlp: EXPECT_EQ(model.variant, "float32"); break;
    case Variant::kFloatCnn:
      EXPECT_TRUE(testing::has_op(model, OpKind::kConv2D) && testing::has_op(model, OpKind::kDepthwiseConv2D));
      break;
    case Variant::kInt8Mlp: EXPECT_TRUE(testing::has_op(model, OpKind::kLookup)); break;
    case Variant::kInt8Cnn:
      EXPECT_EQ(model.variant, "int8");
      for (OpKind kind : {OpKind::kConv2D, OpKind::kDepthwiseConv2D, OpKind::kMaxPool, OpKind::kAvgPool}) {
        EXPECT_TRUE(testing::has_op(model, kind)) << op_kind_name(kind);
      }
      break;
    case Variant::kInt4Mlp: EXPECT_TRUE(testing::has_weights_of(model, DType::kInt4)); break;
    case Variant::kCodebookMlp: EXPECT_TRUE(testing::has_weights_of(model, DType::kIndex4)); break;
    case Variant::kSparseMlp: EXPECT_TRUE(testing::has_weights_of(model, DType::kSparse8)); break;
    case Variant::kFloat16Mlp: EXPECT_TRUE(testing::has_weights_of(model, DType::kFloat16)); break;
    case Variant::kDynamicMlp:
      EXPECT_EQ(model.variant, "int8-weights");
      EXPECT_TRUE(testing::has_weights_of(model, DType::kInt8));
      break;
    case Variant::kInt16Mlp:
      EXPECT_EQ(model.tensors[static_cast<size_t>(model.ops[0].output)].dtype, DType::kInt16);
      EXPECT_TRUE(testing::has_op(model, OpKind::kLookup));
      break;
  }
}

class VerifyOn : public ::testing::TestWithParam<VerifyCase> {};

TEST_P(VerifyOn, OutputsMatchTheHostAndTheReportIsConsistent) {
  const auto [variant, target] = GetParam();
  const testing::TestDeployModel& test = testing::test_deploy_model(variant);
  const DeployModel& model = test.model;
  expect_variant_is_what_it_claims(variant, model);
  const int rows = std::min(default_verify_rows(target), 24);
  const Matrix raw = spread_rows(test.rows, rows);
  VerifyOptions options;
  options.target = target;
  const VerifyReport r = verify_model(model, raw, options, nullptr);

  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.float_mismatched_rows, 0);
  EXPECT_EQ(r.integer_mismatched_rows, 0);
  EXPECT_EQ(r.integer_bits, expected_integer_bits(variant));
  EXPECT_EQ(r.target, verify_target_name(target));
  EXPECT_EQ(r.variant, model.variant);
  EXPECT_EQ(r.model_sha256, emit_c(model, EmitOptions{}).model_sha256);
  EXPECT_EQ(r.rows, rows);
  EXPECT_EQ(r.outputs, model.output_size());
  EXPECT_DOUBLE_EQ(r.tolerance, 1e-4);
  EXPECT_GE(r.float_identical_rows, 0);
  EXPECT_LE(r.float_identical_rows, rows);
  // The host compiles the same kernels with the same flags: bit for bit.
  if (target == VerifyTarget::kHost) EXPECT_EQ(r.float_identical_rows, rows);
  const Matrix host = ReferenceEngine(model).predict(raw);
  EXPECT_LE(r.max_abs_difference, r.tolerance * std::max(1.0, static_cast<double>(host.cwiseAbs().maxCoeff())));
  if (r.float_identical_rows == rows) EXPECT_EQ(r.max_abs_difference, 0.0);

  // Sizes: the constants are in flash, the arena in RAM.
  EXPECT_EQ(r.arena_bytes, plan_memory(model).arena_bytes);
  EXPECT_EQ(r.arena_lower_bound, plan_memory(model).lower_bound_bytes);
  EXPECT_LE(r.arena_lower_bound, r.arena_bytes);
  EXPECT_EQ(r.macs, model.macs());
  EXPECT_GT(r.macs, 0);
  EXPECT_EQ(r.weight_bytes, model.constant_bytes());
  EXPECT_GE(r.flash_bytes, r.weight_bytes);
  EXPECT_GE(r.ram_bytes, r.arena_bytes);
  if (target == VerifyTarget::kHost) {
    EXPECT_EQ(r.stack_bytes, -1);
    EXPECT_EQ(r.counter_per_inference, -1);
    EXPECT_EQ(r.counter_unit, "");
  } else {
    EXPECT_GT(r.stack_bytes, 0);
    EXPECT_LT(r.stack_bytes, target == VerifyTarget::kAvr ? 2048 : 16384);
    EXPECT_EQ(r.counter_unit, target == VerifyTarget::kAvr ? "cycles" : "instructions");
    // Every multiply-accumulate takes at least one instruction (an 8-bit AVR
    // needs many cycles for one); a dual-MAC instruction at most halves that.
    EXPECT_GE(r.counter_per_inference, target == VerifyTarget::kAvr ? model.macs() : model.macs() / 2);
    EXPECT_LT(r.counter_per_inference, int64_t{1} << 31);
  }
}

std::vector<VerifyCase> verify_cases() {
  std::vector<VerifyCase> cases;
  for (Variant v : {Variant::kFloatMlp, Variant::kInt8Mlp, Variant::kInt8Cnn}) {
    for (VerifyTarget t : {VerifyTarget::kHost, VerifyTarget::kCortexM4, VerifyTarget::kAvr}) cases.push_back({v, t});
  }
  cases.push_back({Variant::kFloatCnn, VerifyTarget::kCortexM4});
  for (Variant v : {Variant::kInt4Mlp, Variant::kCodebookMlp, Variant::kSparseMlp, Variant::kFloat16Mlp,
                    Variant::kDynamicMlp, Variant::kInt16Mlp}) {
    for (VerifyTarget t : {VerifyTarget::kHost, VerifyTarget::kCortexM4, VerifyTarget::kAvr}) cases.push_back({v, t});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Targets, VerifyOn, ::testing::ValuesIn(verify_cases()), verify_case_name);

// With tolerance 0 a row passes only when its outputs equal the host's: the
// mismatched rows are exactly the rows that are not bit-identical (outputs of
// a softmax are never -0, the one value equal to another with different bits).
// The build folder is kept where asked. The float model's softmax calls expf,
// which newlib and glibc round differently for some inputs, so on the
// Cortex-M4 some rows may differ in the last bit; the count must then agree
// with the tolerant run's.
TEST(Verify, ToleranceZeroCountsExactlyTheRowsThatAreNotBitIdentical) {
  const testing::TestDeployModel& test = testing::test_deploy_model(Variant::kFloatMlp);
  const Matrix raw = spread_rows(test.rows, 24);
  testing::TempDir dir;
  VerifyOptions options;
  options.target = VerifyTarget::kCortexM4;
  options.tolerance = 0;
  options.work_dir = dir.path() / "build";
  const VerifyReport exact = verify_model(test.model, raw, options, nullptr);
  EXPECT_EQ(exact.float_mismatched_rows, exact.rows - exact.float_identical_rows);
  EXPECT_EQ(exact.passed, exact.float_identical_rows == exact.rows);
  EXPECT_EQ(exact.max_abs_difference > 0, exact.float_identical_rows < exact.rows);
  for (const char* file : {"model.c", "model.h", "harness.c", "harness.elf", "startup.c", "link.ld"}) {
    EXPECT_TRUE(fs::exists(options.work_dir / file)) << file;
  }
  // Verifying again into the same folder rebuilds it, with the same results.
  options.tolerance = 1e-4;
  const VerifyReport tolerant = verify_model(test.model, raw, options, nullptr);
  EXPECT_TRUE(tolerant.passed);
  EXPECT_EQ(tolerant.float_identical_rows, exact.float_identical_rows);
  EXPECT_EQ(tolerant.max_abs_difference, exact.max_abs_difference);
  EXPECT_EQ(tolerant.counter_per_inference, exact.counter_per_inference);
}

// Puts a fake `cc` first on PATH for the lifetime of the object: it compiles
// the generated model.c with every memcpy turned into a memset of zeros (the
// entry points copy their outputs out of the arena with memcpy), and
// everything else unchanged.
class MiscompilingHostCompiler {
 public:
  MiscompilingHostCompiler() {
    const char* path = std::getenv("PATH");
    old_path_ = path ? path : "";
    dir_.write("fault.h", "#include <string.h>\n#define memcpy(d, s, n) ((void)(s), memset((d), 0, (n)))\n");
    const fs::path cc = dir_.write("cc",
                                   "#!/bin/sh\nfor arg in \"$@\"; do\n  if [ \"$arg\" = model.c ]; then exec " +
                                       real_cc() + " -include '" + (dir_.path() / "fault.h").string() +
                                       "' \"$@\"; fi\ndone\nexec " + real_cc() + " \"$@\"\n");
    fs::permissions(cc, fs::perms::owner_all);
    ::setenv("PATH", (dir_.path().string() + ":" + old_path_).c_str(), 1);
  }
  ~MiscompilingHostCompiler() { ::setenv("PATH", old_path_.c_str(), 1); }
  MiscompilingHostCompiler(const MiscompilingHostCompiler&) = delete;
  MiscompilingHostCompiler& operator=(const MiscompilingHostCompiler&) = delete;

 private:
  std::string real_cc() const {
    size_t start = 0;
    while (start <= old_path_.size()) {
      const size_t end = std::min(old_path_.find(':', start), old_path_.size());
      const fs::path candidate = fs::path(old_path_.substr(start, end - start)) / "cc";
      if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
      start = end + 1;
    }
    return "/usr/bin/cc";
  }

  testing::TempDir dir_;
  std::string old_path_;
};

TEST(Verify, ADeviceThatComputesSomethingElseFails) {
  MiscompilingHostCompiler fault;
  for (Variant v : {Variant::kFloatMlp, Variant::kInt8Mlp}) {
    SCOPED_TRACE(testing::variant_label(v));
    const testing::TestDeployModel& test = testing::test_deploy_model(v);
    const VerifyReport r = verify_model(test.model, spread_rows(test.rows, 10), VerifyOptions{}, nullptr);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.float_identical_rows, 0);
    EXPECT_EQ(r.float_mismatched_rows, 10);  // every output is 0; softmax outputs sum to 1
    EXPECT_GT(r.max_abs_difference, 0.1);
    if (v == Variant::kInt8Mlp) EXPECT_GT(r.integer_mismatched_rows, 0);
  }
}

ErrorKind error_kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no tinymlops::Error thrown";
  return ErrorKind::kUnsupported;
}

TEST(Verify, RowsOfTheWrongWidthOrNoneOrNotFiniteAreUsageErrors) {
  const testing::TestDeployModel& test = testing::test_deploy_model(Variant::kFloatMlp);
  const auto verify = [&](const Matrix& rows) { verify_model(test.model, rows, VerifyOptions{}, nullptr); };
  EXPECT_EQ(error_kind_of([&] { verify(Matrix::Zero(3, testing::kMlpInputs + 1)); }), ErrorKind::kUsage);
  EXPECT_EQ(error_kind_of([&] { verify(Matrix::Zero(3, testing::kMlpInputs - 1)); }), ErrorKind::kUsage);
  EXPECT_EQ(error_kind_of([&] { verify(Matrix::Zero(0, testing::kMlpInputs)); }), ErrorKind::kUsage);
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    Matrix rows = test.rows.topRows(3);
    rows(1, 2) = bad;
    EXPECT_EQ(error_kind_of([&] { verify(rows); }), ErrorKind::kUsage);
  }
}

// 32,768 int8 weights are one array larger than an ATmega's 16-bit sizes allow:
// the compiler refuses it, and verify says the model does not fit.
TEST(Verify, AModelTooLargeForTheAvrSaysItDoesNotFit) {
  Model trained = testing::random_model(Shape{{256}}, "dense:128", 7);
  const Matrix rows = testing::random_inputs(16, 256, 8);
  const DeployModel model = quantize_int8(lower_model(trained), rows, PtqOptions{});
  VerifyOptions options;
  options.target = VerifyTarget::kAvr;
  try {
    verify_model(model, spread_rows(rows, 2), options, nullptr);
    FAIL() << "verified a model larger than the ATmega328P";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("do not fit the target's memory"), std::string::npos) << e.what();
  }
}

TEST(VerifyTargetNames, RoundTripAndUnknownIsAUsageErrorListingTheTargets) {
  const std::vector<VerifyTarget> all = {VerifyTarget::kHost,      VerifyTarget::kCortexM0, VerifyTarget::kCortexM4,
                                         VerifyTarget::kCortexM7,  VerifyTarget::kCortexM33, VerifyTarget::kRv32,
                                         VerifyTarget::kAvr,       VerifyTarget::kAvrMega};
  for (VerifyTarget t : all) EXPECT_EQ(parse_verify_target(verify_target_name(t)), t);
  EXPECT_STREQ(verify_target_name(VerifyTarget::kCortexM4), "cortex-m4");
  EXPECT_STREQ(verify_target_name(VerifyTarget::kAvrMega), "avr-mega");
  EXPECT_EQ(verify_target_names(), "host, cortex-m0, cortex-m4, cortex-m7, cortex-m33, rv32, avr, avr-mega");
  try {
    parse_verify_target("esp32");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find(verify_target_names()), std::string::npos) << e.what();
  }
  EXPECT_EQ(default_verify_rows(VerifyTarget::kHost), 200);
  EXPECT_EQ(default_verify_rows(VerifyTarget::kCortexM4), 100);
  EXPECT_EQ(default_verify_rows(VerifyTarget::kAvr), 16);
  EXPECT_EQ(default_verify_rows(VerifyTarget::kRv32), 100);
  EXPECT_EQ(default_verify_rows(VerifyTarget::kAvrMega), 16);
}

TEST(SpreadRows, TakesEvenlySpacedRowsFromFirstToLast) {
  Matrix all(10, 2);
  for (int i = 0; i < 10; ++i) all.row(i) << static_cast<float>(i), static_cast<float>(-i);
  const Matrix three = spread_rows(all, 3);
  ASSERT_EQ(three.rows(), 3);
  EXPECT_EQ(three(0, 0), 0);
  EXPECT_EQ(three(1, 0), 4);
  EXPECT_EQ(three(2, 0), 9);
  EXPECT_EQ(three(2, 1), -9);
  EXPECT_EQ(spread_rows(all, 1)(0, 0), 0);
  EXPECT_EQ(spread_rows(all, 1).rows(), 1);
  EXPECT_EQ(spread_rows(all, 10), all);
  EXPECT_EQ(spread_rows(all, 50), all);
  EXPECT_EQ(spread_rows(all, 0), all);
}

// An int8 37-9-3 MLP with a softmax, calibrated on `rows` (37 columns): odd
// sizes for the optimized kernels' tails.
DeployModel odd_sized_int8_mlp(const Matrix& rows) {
  Model trained = testing::random_model(Shape{{37}}, "dense:9:relu,dense:3,softmax", 31);
  return quantize_int8(lower_model(trained), rows, PtqOptions{});
}

// An int8 CNN on a 5x6x3 image, calibrated on `rows` (90 columns): a 3x3
// Conv2D to 30 channels (27-byte filters, gathered per pixel; 30 filters: seven
// groups of four and a pair), a 3x3 depthwise layer (seven groups of four
// channels and two alone), a max pool and a strided 3x3 Conv2D to 5 (270-byte
// filters, read in place), then a 3-output Dense.
DeployModel odd_sized_int8_cnn(const Matrix& rows) {
  Model trained = testing::random_model(Shape{{5, 6, 3}},
                                        "conv2d:30:3x3:padding=same:relu,depthwise_conv2d:3x3:padding=same,relu,"
                                        "maxpool:1x2:stride=1x1,conv2d:5:3x3:stride=2x1,relu,flatten,dense:3,softmax",
                                        33);
  return quantize_int8(lower_model(trained), rows, PtqOptions{});
}

// On a Cortex-M4 the int8 fully-connected, convolution and max-pool ops call the DSP kernels
// (kernel_table.h): the reference's integers bit for bit, odd sizes included
// (37 inputs: a tail of 1 after 9 words; 9 and 3 outputs: a last output without a
// partner; the CNN's tails above), in fewer instructions than the reference
// kernels of the same model. A size-first build (-Os) calls the reference
// kernels, whose loops are smallest.
TEST(ArmDspKernels, GiveTheReferenceIntegersOnCortexM4InFewerInstructions) {
  const Matrix mlp_rows = testing::random_inputs(64, 37, 32);
  const Matrix cnn_rows = testing::random_inputs(64, 90, 34);
  for (const auto& [model, rows] : {std::pair{odd_sized_int8_mlp(mlp_rows), mlp_rows},
                                    std::pair{odd_sized_int8_cnn(cnn_rows), cnn_rows}}) {
    VerifyOptions options;
    options.target = VerifyTarget::kCortexM4;
    const VerifyReport dsp = verify_model(model, spread_rows(rows, 24), options, nullptr);
    options.reference_kernels = true;
    const VerifyReport reference = verify_model(model, spread_rows(rows, 24), options, nullptr);
    options.reference_kernels = false;
    options.optimization = "s";
    const VerifyReport size_first = verify_model(model, spread_rows(rows, 4), options, nullptr);

    EXPECT_EQ(dsp.kernels, "arm-dsp");
    EXPECT_EQ(reference.kernels, "reference");
    EXPECT_EQ(size_first.kernels, "reference");
    for (const VerifyReport* r : {&dsp, &reference, &size_first}) {
      EXPECT_TRUE(r->passed) << r->kernels;
      EXPECT_EQ(r->integer_bits, 8);
      EXPECT_EQ(r->integer_mismatched_rows, 0) << r->kernels;
    }
    EXPECT_LT(dsp.counter_per_inference, reference.counter_per_inference);
  }
}

// The profile's steps are the input normalization, the model's ops and the
// output copy, and they add up to the whole inference: each step's sum over
// the rows is off by less than one counter tick per row (40 instructions on
// cortex-m4, 1 cycle on avr), the marks' cost is subtracted, and only the entry
// point's own entry and exit lie outside the steps (saving and restoring at
// most 18 registers and the null checks: under 200 cycles or instructions).
TEST(VerifyProfile, StepsAreTheOpsAndAddUpToTheWholeInference) {
  const Matrix rows = testing::random_inputs(64, 37, 32);
  const DeployModel model = odd_sized_int8_mlp(rows);
  for (const auto& [target, tick] : {std::pair{VerifyTarget::kCortexM4, 40}, std::pair{VerifyTarget::kAvr, 1}}) {
    VerifyOptions options;
    options.target = target;
    options.profile = true;
    const VerifyReport report = verify_model(model, spread_rows(rows, 8), options, nullptr);
    const std::string name = verify_target_name(target);
    EXPECT_TRUE(report.passed) << name;
    ASSERT_EQ(report.steps.size(), model.ops.size() + 2) << name;
    EXPECT_EQ(report.steps.front().op, "input");
    EXPECT_EQ(report.steps.back().op, "output");
    int64_t sum = 0;
    for (size_t s = 0; s < report.steps.size(); ++s) {
      const VerifyStep& step = report.steps[s];
      if (s > 0 && s <= model.ops.size()) {
        EXPECT_EQ(step.op, op_kind_name(model.ops[s - 1].kind)) << name << " step " << s;
        EXPECT_EQ(step.macs, model.op_macs(s - 1)) << name << " step " << s;
      }
      // No kernel does a multiply-accumulate in under half an instruction or cycle.
      if (step.macs > 0) EXPECT_GT(step.counter_per_inference * 2, step.macs) << name << " step " << s;
      sum += step.counter_per_inference;
    }
    const int64_t resolution = tick * static_cast<int64_t>(report.steps.size() + 1);
    EXPECT_LE(sum, report.counter_per_inference + resolution) << name;
    EXPECT_GE(sum, report.counter_per_inference - resolution - 200) << name;
    EXPECT_TRUE(to_json(report).contains("steps"));
  }
  VerifyOptions host;
  host.profile = true;
  EXPECT_TRUE(verify_model(model, spread_rows(rows, 4), host, nullptr).steps.empty());
}

}  // namespace
}  // namespace tinymlops
