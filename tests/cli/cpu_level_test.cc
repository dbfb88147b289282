// A tinymlops binary is tied to an x86-64 instruction-set level, not to the CPU
// that runs it (docs/reproducibility.md). Below its level it refuses to start, in
// one line naming the build option (src/core/isa_level_check.c); at or above it,
// training gives the same bytes on every CPU. The other CPUs are emulated by
// qemu-x86_64 (Debian's qemu-user, installed by scripts/setup), whose TCG runs
// AVX2 and FMA but not AVX-512: on an AVX-512 host this trains on two kinds of
// CPU with the same binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_util.h"
#include "tinymlops/core/file_io.h"
#include "tinymlops/core/version.h"

namespace tinymlops {
namespace {

using testing::run_program;

constexpr const char* kQemu = "/usr/bin/qemu-x86_64";
// TINYMLOPS_ISA_LEVEL: the level the build's -march needs (tests/CMakeLists.txt),
// 0 on other architectures or for the compiler's default.
constexpr int kBuildLevel = TINYMLOPS_ISA_LEVEL;

// A QEMU CPU model at each x86-64 level (1 to 3), less the features QEMU's emulator
// lacks (it would warn of each on stderr).
std::string cpu_model_at_level(int level) {
  switch (level) {
    case 1: return "qemu64";
    case 2: return "Nehalem";
    default: return "Haswell,-pcid,-x2apic,-tsc-deadline,-hle,-rtm,-invpcid";
  }
}

testing::CommandResult run_cli_on_cpu(int level, const std::vector<std::string>& args) {
  std::vector<std::string> qemu_args = {"-cpu", cpu_model_at_level(level), TINYMLOPS_CLI};
  qemu_args.insert(qemu_args.end(), args.begin(), args.end());
  return run_program(kQemu, qemu_args);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;  // ASan's shadow memory does not map under qemu-user
#else
constexpr bool kSanitized = false;
#endif

TEST(CpuLevel, VersionNamesTheBuildsInstructionSet) {
  const testing::CommandResult r = testing::run_cli_ok({"--version"});
  EXPECT_EQ(r.out, std::string("tinymlops ") + kLibraryVersion + " (" + build_isa() + ")\n");
}

TEST(CpuLevel, BelowItsLevelTheBinaryRefusesInOneLineNamingTheBuildOption) {
  if (kBuildLevel < 2) GTEST_SKIP() << "built for baseline x86-64: every x86-64 CPU runs it";
  if (kSanitized) GTEST_SKIP() << "sanitizer build: not run under qemu-user";
  const int below = kBuildLevel - 1;
  const testing::CommandResult r = run_cli_on_cpu(below, {"--version"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  const std::string portable = below >= 2 ? "x86-64-v2" : "x86-64";
  EXPECT_NE(r.err.find("tinymlops: this build needs an x86-64-v" + std::to_string(kBuildLevel) + " CPU"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("this CPU is x86-64-v" + std::to_string(below)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("-DTINYMLOPS_MARCH=" + portable + " "), std::string::npos) << r.err;
}

// The same binary trains the same bytes on the host CPU (with AVX-512 on the
// development machine) and on an emulated Haswell (AVX2 and FMA, no AVX-512):
// Eigen's packet width and FMA use are fixed by -march at build time, and nothing
// chooses its arithmetic by the CPU at run time (EIGEN_FAST_MATH=0 keeps Eigen off
// rsqrtps; EIGEN_NO_CPUID keeps its matrix-product blocking off the CPU's cache
// sizes; glibc's libm picks its FMA variants on every such CPU). Without
// EIGEN_NO_CPUID this test failed: the conv layer's weight gradient, a long sum,
// was blocked differently. The model has a convolution, batch norm (rsqrt), tanh,
// softmax and Adam (sqrt) in it.
TEST(CpuLevel, TrainingGivesTheSameBytesOnACpuWithoutAvx512) {
  if (kBuildLevel > 3) GTEST_SKIP() << "built for x86-64-v" << kBuildLevel << ": qemu cannot emulate AVX-512";
  if (kSanitized) GTEST_SKIP() << "sanitizer build: not run under qemu-user";
  testing::TempDir dir;
  const std::vector<std::string> train = {
      "train",         "--data",   (testing::source_dir() / "examples/data/digits.csv").string(),
      "--label",       "digit",    "--input-shape", "8x8x1",
      "--layers",      "conv2d:4:3x3,batchnorm,relu,maxpool:2,flatten,dense:16:tanh",
      "--epochs",      "2",        "--seed",        "11",
      "--quiet"};
  std::vector<std::string> here = train, emulated = train;
  here.insert(here.end(), {"--out", (dir.path() / "here.tmlm").string()});
  emulated.insert(emulated.end(), {"--out", (dir.path() / "emulated.tmlm").string()});
  testing::run_cli_ok(here);
  const testing::CommandResult r = run_cli_on_cpu(3, emulated);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string a = read_file(dir.path() / "here.tmlm"), b = read_file(dir.path() / "emulated.tmlm");
  EXPECT_GT(a.size(), 1000u);
  EXPECT_TRUE(a == b) << "the model trained on the emulated CPU differs from the host's";
}

}  // namespace
}  // namespace tinymlops
