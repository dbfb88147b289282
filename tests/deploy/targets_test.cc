// targets.cc on the cores besides the Cortex-M4 and the ATmega328P (which
// verify_test.cc runs with every model variant): the int8 digits MLP and the
// suite's small int8 CNN built by each target's toolchain with strict
// warnings, run on its emulator and bit-exact with the host; the counter,
// stack and kernels reported are the core's own.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "codegen/deploy_models.h"
#include "deploy/digits_model.h"
#include "runtime/model_fixtures.h"
#include "tinymlops/compress/ptq.h"
#include "tinymlops/core/error.h"
#include "test_util.h"
#include "tinymlops/runtime/lower.h"
#include "tinymlops/deploy/devices.h"
#include "tinymlops/deploy/verify.h"
#include "tinymlops/runtime/kernel_table.h"

namespace tinymlops {
namespace {

namespace fs = std::filesystem;

bool is_avr(VerifyTarget target) { return target == VerifyTarget::kAvr || target == VerifyTarget::kAvrMega; }

// The emulated board of a target in the device catalogue.
const Device& emulated_board(VerifyTarget target) {
  for (const Device& d : device_catalogue()) {
    if (d.verify_target == verify_target_name(target) && d.name.find("emulated") != std::string::npos) return d;
  }
  throw Error(ErrorKind::kInvalid, verify_target_name(target), "no emulated board in the catalogue");
}

struct TargetCase {
  VerifyTarget target;
  bool cnn;
};

std::string target_case_name(const ::testing::TestParamInfo<TargetCase>& info) {
  std::string target = verify_target_name(info.param.target);
  target.erase(std::remove(target.begin(), target.end(), '-'), target.end());
  return std::string(info.param.cnn ? "Int8Cnn_" : "Int8DigitsMlp_") + target;
}

// The 64-bit division helpers of the C runtime that `elf` links (a core
// without a 64-bit divide instruction, i.e. all of these, calls them).
std::set<std::string> division_helpers(const std::string& nm, const fs::path& elf) {
  const testing::CommandResult r = testing::run_program("/usr/bin/" + nm, {elf.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  static const std::regex helper(R"(__aeabi_u?ldivmod|__u?divdi3|__u?moddi3)");
  std::set<std::string> found;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), helper); it != std::sregex_iterator(); ++it) {
    found.insert(it->str());
  }
  return found;
}

class OnTarget : public ::testing::TestWithParam<TargetCase> {};

TEST_P(OnTarget, Int8ModelIsBitExactAndTheReportIsTheCores) {
  const auto [target, cnn] = GetParam();
  const DeployModel& model = cnn ? testing::test_deploy_model(testing::Variant::kInt8Cnn).model
                                 : testing::int8_digits_mlp();
  const Matrix& all_rows = cnn ? testing::test_deploy_model(testing::Variant::kInt8Cnn).rows
                               : testing::digits_data().features;
  testing::TempDir dir;
  VerifyOptions options;
  options.target = target;
  options.work_dir = dir.path();
  const int rows = is_avr(target) ? 4 : 12;
  const VerifyReport r = verify_model(model, spread_rows(all_rows, rows), options, nullptr);

  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.integer_bits, 8);
  EXPECT_EQ(r.integer_mismatched_rows, 0);
  EXPECT_EQ(r.float_mismatched_rows, 0);
  EXPECT_EQ(r.rows, rows);
  const Device& board = emulated_board(target);
  EXPECT_EQ(r.kernels, kernel_features_name(board.kernel_features));
  EXPECT_GE(r.flash_bytes, r.weight_bytes);
  EXPECT_GE(r.ram_bytes, r.arena_bytes);
  EXPECT_LE(r.flash_bytes, board.flash_bytes);
  EXPECT_GT(r.stack_bytes, 0);
  EXPECT_LT(r.stack_bytes + r.ram_bytes, board.ram_bytes);
  EXPECT_EQ(r.counter_unit, is_avr(target) ? "cycles" : "instructions");
  // At least one instruction per multiply-accumulate, or half of one with
  // the DSP extension's dual MACs (an 8-bit AVR needs many cycles for one).
  EXPECT_GE(r.counter_per_inference, model.macs() / 2);
  EXPECT_LT(r.counter_per_inference, int64_t{1} << 31);
  // The model adds no 64-bit division: the C runtime helpers the program links
  // with it are those it links without it.
  const std::string nm = target == VerifyTarget::kRv32 ? "riscv64-unknown-elf-nm"
                         : is_avr(target)              ? "avr-nm"
                                                       : "arm-none-eabi-nm";
  EXPECT_EQ(division_helpers(nm, dir.path() / "probe_with.elf"),
            division_helpers(nm, dir.path() / "probe_without.elf"));
}

std::vector<TargetCase> target_cases() {
  std::vector<TargetCase> cases;
  for (VerifyTarget t : {VerifyTarget::kCortexM0, VerifyTarget::kCortexM7, VerifyTarget::kCortexM33,
                         VerifyTarget::kRv32, VerifyTarget::kAvrMega}) {
    cases.push_back({t, false});
    cases.push_back({t, true});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Targets, OnTarget, ::testing::ValuesIn(target_cases()), target_case_name);

// Each board's SysTick runs at its own clock (25 MHz on the MPS2 AN386 and
// AN500, 20 on the AN505, 16 on the micro:bit), so a wrong scale shows as a
// count off by that ratio. Counted are the integer fully-connected steps of a
// profile: the reference kernel compiles to nearly the same Thumb-2 code for
// the M4, M7 and M33; the M0 has only the 16-bit Thumb instructions and needs
// half as many again. (The whole float inference would not
// do: the M0 has no FPU.)
TEST(TargetCounters, InstructionCountsAgreeAcrossTheCortexMCores) {
  const Matrix rows = spread_rows(testing::digits_data().features, 4);
  const auto fully_connected_instructions = [&](VerifyTarget target) {
    VerifyOptions options;
    options.target = target;
    options.reference_kernels = true;
    options.profile = true;
    const VerifyReport r = verify_model(testing::int8_digits_mlp(), rows, options, nullptr);
    EXPECT_TRUE(r.passed) << verify_target_name(target);
    int64_t sum = 0;
    for (const VerifyStep& step : r.steps) sum += step.op == "fully_connected" ? step.counter_per_inference : 0;
    EXPECT_GT(sum, 0) << verify_target_name(target);
    return static_cast<double>(sum);
  };
  const double m4 = fully_connected_instructions(VerifyTarget::kCortexM4);
  EXPECT_NEAR(fully_connected_instructions(VerifyTarget::kCortexM7) / m4, 1.0, 0.1);
  EXPECT_NEAR(fully_connected_instructions(VerifyTarget::kCortexM33) / m4, 1.0, 0.1);
  // 1.50 measured (2026-12-08); a tick taken as 40 instructions would give 0.96.
  const double m0 = fully_connected_instructions(VerifyTarget::kCortexM0) / m4;
  EXPECT_NEAR(m0, 1.5, 0.15);
  RecordProperty("m0_over_m4", std::to_string(m0));
}

// An ATmega2560 has 248 KB for a sketch, but the generated code reads its
// constants through 16-bit pointers, from the first 64 KB of flash only: a
// model with 85 KB of int8 weights is refused by `fit` and by `verify`, before
// it could compute with the wrong bytes.
TEST(TargetMemory, ConstantsBeyondTheMegasReachDoNotFit) {
  Model trained = testing::random_model(Shape{{256}}, "dense:120:relu,dense:250:relu,dense:100", 5);
  const Matrix rows = testing::random_inputs(16, 256, 6);
  const DeployModel model = quantize_int8(lower_model(trained), rows, PtqOptions{});
  ASSERT_GT(model.constant_bytes(), 64 * 1024);
  const FitReport fit = fit_model(model, find_device("mega"), "big.tdm");
  EXPECT_LE(fit.flash_needed, fit.flash_available);
  EXPECT_FALSE(fit.fits);
  EXPECT_NE(fit_failure_summary(fit).find("more than the 65024 B its code can read"), std::string::npos)
      << fit_failure_summary(fit);
  VerifyOptions options;
  options.target = VerifyTarget::kAvrMega;
  try {
    verify_model(model, spread_rows(rows, 2), options, nullptr);
    FAIL() << "verified constants beyond 64 KB";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("do not fit the target's memory"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("first 65536"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tinymlops
