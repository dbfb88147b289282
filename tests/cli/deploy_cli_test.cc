// `tinymlops codegen`, `verify` and `fit` end to end on the digits model:
// packages, verification on the host and a Cortex-M4, JSON reports, exit codes
// and one-line errors.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "cli_expect.h"
#include "test_util.h"
#include "tinymlops/core/file_io.h"

namespace tinymlops {
namespace {

using testing::count_lines;
using testing::expect_one_line_error;
using testing::digits_csv;
namespace fs = std::filesystem;
using testing::run_cli;
using testing::TempDir;




std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) names.insert(fs::relative(entry.path(), dir).string());
  return names;
}

// One trained float digits model and its int8 quantization for every test.
class DeployCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    float_model_ = (dir_->path() / "digits.tmlm").string();
    int8_model_ = (dir_->path() / "digits-int8.tdm").string();
    auto trained = run_cli({"quickstart", "--out", float_model_, "-q", "--data", digits_csv()});
    ASSERT_EQ(trained.exit_code, 0) << trained.err;
    auto quantized = run_cli({"quantize", float_model_, "--data", digits_csv(), "--out", int8_model_, "-q"});
    ASSERT_EQ(quantized.exit_code, 0) << quantized.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static TempDir* dir_;
  static std::string float_model_, int8_model_;
  TempDir work_;
};

TempDir* DeployCli::dir_ = nullptr;
std::string DeployCli::float_model_, DeployCli::int8_model_;

TEST_F(DeployCli, CodegenThenVerifyOnACortexM4Passes) {
  const fs::path out = work_.path() / "digits_lib";
  auto gen = run_cli({"codegen", int8_model_, "--out", out.string(), "--target", "arduino", "--name", "digits"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  EXPECT_NE(gen.out.find("generated digits (int8, with an int8 entry point)"), std::string::npos) << gen.out;
  EXPECT_NE(gen.out.find("tinymlops verify " + int8_model_ + " --target cortex-m4"), std::string::npos) << gen.out;
  for (const char* file : {"library.properties", "src/digits.h", "src/digits.c", "src/tml_fully_connected.c",
                           "examples/digits_serial/digits_serial.ino"}) {
    EXPECT_TRUE(fs::exists(out / file)) << file;
  }
  EXPECT_FALSE(fs::exists(out / "src/tml_conv.c"));
  // The header records the command that made it.
  EXPECT_NE(read_file(out / "src/digits.h").find("--target arduino --name digits"), std::string::npos);

  auto verify = run_cli({"verify", int8_model_, "--data", digits_csv(), "--target", "cortex-m4", "--rows", "30", "-q"});
  ASSERT_EQ(verify.exit_code, 0) << verify.err << verify.out;
  EXPECT_NE(verify.out.find("verify cortex-m4: int8 model, 30 rows, arm-dsp kernels"), std::string::npos) << verify.out;
  EXPECT_TRUE(std::regex_search(verify.out, std::regex("int8 outputs +30 of 30 rows identical"))) << verify.out;
  EXPECT_NE(verify.out.find("instructions per inference"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("\nPASSED\n"), std::string::npos) << verify.out;
  EXPECT_EQ(verify.err, "");
}

TEST_F(DeployCli, VerifyJsonParsesAndKeepsTheBuildWhereAsked) {
  const fs::path keep = work_.path() / "build";
  auto r = run_cli({"verify", int8_model_, "--data", digits_csv(), "--target", "host", "--rows", "40", "--json", "--keep",
                    keep.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["target"], "host");
  EXPECT_EQ(report["variant"], "int8");
  EXPECT_EQ(report["rows"], 40);
  EXPECT_EQ(report["outputs"], 10);
  EXPECT_EQ(report["integer_bits"], 8);
  EXPECT_EQ(report["integer_mismatched_rows"], 0);
  EXPECT_EQ(report["float_identical_rows"], 40);
  EXPECT_EQ(report["float_mismatched_rows"], 0);
  EXPECT_EQ(report["passed"], true);
  EXPECT_EQ(report["model_sha256"].get<std::string>().size(), 64u);
  auto inspect = run_cli({"inspect", int8_model_, "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_EQ(report["weight_bytes"], nlohmann::json::parse(inspect.out)["weight_bytes"]);
  EXPECT_GE(report["flash_bytes"].get<int64_t>(), report["weight_bytes"].get<int64_t>());
  EXPECT_GE(report["ram_bytes"].get<int64_t>(), report["arena_bytes"].get<int64_t>());
  EXPECT_EQ(report["stack_bytes"], -1);
  EXPECT_TRUE(fs::exists(keep / "harness.elf"));
  EXPECT_TRUE(fs::exists(keep / "model.c"));
}

TEST_F(DeployCli, CodegenOfTheWrongVariantNamesTheQuantizeCommand) {
  const fs::path out = work_.path() / "out";
  expect_one_line_error(run_cli({"codegen", float_model_, "--out", out.string(), "--variant", "int8"}), 2,
                        "tinymlops quantize " + float_model_);
  expect_one_line_error(run_cli({"codegen", float_model_, "--out", out.string(), "--variant", "int4"}), 2, "--bits 4");
  EXPECT_FALSE(fs::exists(out));
  // The variant it is passes.
  auto ok = run_cli({"codegen", int8_model_, "--out", out.string(), "--variant", "int8"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(fs::exists(out / "digits_int8.h"));
}

TEST_F(DeployCli, CodegenRefusesAFolderItDidNotWriteAndLeavesItIntact) {
  work_.write("app/main.c", "int main(void) { return 0; }\n");
  work_.write("app/model.h", "/* hand-written */\n");
  const auto before = listing(work_.path());
  expect_one_line_error(run_cli({"codegen", int8_model_, "--out", (work_.path() / "app").string(), "--name", "model"}),
                        2, "app");
  EXPECT_EQ(listing(work_.path()), before);
  EXPECT_EQ(read_file(work_.path() / "app/model.h"), "/* hand-written */\n");
  // Its own earlier output is replaced.
  const std::string out = (work_.path() / "gen").string();
  ASSERT_EQ(run_cli({"codegen", int8_model_, "--out", out, "--target", "esp-idf"}).exit_code, 0);
  ASSERT_EQ(run_cli({"codegen", int8_model_, "--out", out, "--target", "c"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(fs::path(out) / "CMakeLists.txt"));
  EXPECT_TRUE(fs::exists(fs::path(out) / "README.md"));
}

TEST_F(DeployCli, UsageErrors) {
  expect_one_line_error(run_cli({"verify", int8_model_, "--target", "host"}), 2, "--data");
  expect_one_line_error(run_cli({"verify", int8_model_, "--data", digits_csv(), "--target", "esp32"}), 2, "esp32");
  expect_one_line_error(run_cli({"verify", int8_model_, "--data", digits_csv(), "--rows", "0"}), 2, "--rows");
  expect_one_line_error(run_cli({"codegen", int8_model_}), 2, "--out");
  expect_one_line_error(run_cli({"codegen", int8_model_, "--out", (work_.path() / "o").string(), "--target", "zephyr"}),
                        2, "zephyr");
  // A CSV without the model's columns.
  const auto csv = work_.write("other.csv", "a,b\n1,2\n");
  auto r = run_cli({"verify", int8_model_, "--data", csv.string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
}

// The float digits MLP fills 99% of an ATmega328P's 32 KB, more than the
// 32,256 B an Uno's bootloader leaves a sketch: `fit` says so, names the
// reserve, suggests the int8 model and exits 1; the int8 model fits. `devices`
// names the target that verifies each board, or says there is none.
TEST_F(DeployCli, FitComparesWithTheUsableFlashOfTheBoard) {
  auto r = run_cli({"fit", float_model_, "--device", "uno"});
  expect_one_line_error(r, 1, "flash 32424 of 32256 B usable");
  EXPECT_NE(r.out.find("flash   32424 of 32256 B usable"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("reserved: the Optiboot bootloader's 512 B of flash"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  - int8 (about "), std::string::npos) << r.out;
  r = run_cli({"fit", int8_model_, "--device", "uno"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\nfits\n"), std::string::npos) << r.out;

  r = run_cli({"devices"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nesp32-c3 .* rv32\n)"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nesp32 .* none: no emulator in Debian)"))) << r.out;
  r = run_cli({"devices", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json boards = nlohmann::json::parse(r.out);
  const auto mega = std::find_if(boards.begin(), boards.end(), [](const auto& b) { return b["id"] == "arduino-mega"; });
  ASSERT_NE(mega, boards.end()) << r.out;
  EXPECT_EQ((*mega)["usable_flash_bytes"], 253952);
  EXPECT_EQ((*mega)["verify_target"], "avr-mega");
}

// A host compiler that miscompiles the generated model (every memcpy becomes a
// memset of zeros) makes verify print FAILED and exit 1.
TEST_F(DeployCli, VerifyFailsWhenTheDeviceDisagrees) {
  work_.write("fault.h", "#include <string.h>\n#define memcpy(d, s, n) ((void)(s), memset((d), 0, (n)))\n");
  const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  const auto cc = work_.write("bin/cc", "#!/bin/sh\nfor arg in \"$@\"; do\n  if [ \"$arg\" = model.c ]; then\n"
                                        "    PATH='" + old_path + "' exec cc -include '" +
                                            (work_.path() / "fault.h").string() +
                                            "' \"$@\"\n  fi\ndone\nPATH='" + old_path + "' exec cc \"$@\"\n");
  fs::permissions(cc, fs::perms::owner_all);
  ::setenv("PATH", ((work_.path() / "bin").string() + ":" + old_path).c_str(), 1);
  auto r = run_cli({"verify", int8_model_, "--data", digits_csv(), "--rows", "10", "-q"});
  ::setenv("PATH", old_path.c_str(), 1);
  expect_one_line_error(r, 1, "differ from the reference engine");
  EXPECT_NE(r.out.find("\nFAILED\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 of 10 rows bit-identical"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace tinymlops
