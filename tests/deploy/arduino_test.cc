// The Arduino library that `codegen --target arduino` writes compiles with
// avr-gcc for an ATmega328P (an Arduino Uno) against the real Arduino AVR core
// (Debian's arduino-core-avr, as the Arduino IDE builds for an Uno): the core
// compiled once per test run into a static library, the library's sources as
// C99, the example sketch as C++, linked into one program that fits the Uno's
// 32 KB of flash and 2 KB of RAM.
#include <gtest/gtest.h>

#include <sstream>

#include "codegen/deploy_models.h"
#include "codegen/shell.h"
#include "test_util.h"
#include "tinymlops/codegen/package.h"
#include "tinymlops/core/error.h"
#include "tinymlops/deploy/devices.h"
#include "tinymlops/deploy/codegen_job.h"
#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {
namespace {

using testing::Variant;

// The Arduino AVR core and the Uno's pin variant (scripts/setup installs them).
const char* kArduinoAvr = "/usr/share/arduino/hardware/arduino/avr";

// What the Arduino IDE passes for an Uno (boards.txt, platform.txt), minus
// -flto; the IDE's compiler is avr-gcc 7, Debian's is 5.4, whose <float.h>
// defines DECIMAL_DIG for C only, so the C++ sources get it the way newer
// compilers define it.
std::string uno_flags() {
  const std::string avr = kArduinoAvr;
  return "-mmcu=atmega328p -DF_CPU=16000000L -DARDUINO=10819 -DARDUINO_AVR_UNO -DARDUINO_ARCH_AVR -I" + avr +
         "/cores/arduino -I" + avr + "/variants/standard -Os -ffunction-sections -fdata-sections";
}
const char* kUnoCxxFlags = "-std=gnu++11 -fno-exceptions -fno-threadsafe-statics -DDECIMAL_DIG=__DECIMAL_DIG__";

// The core (main(), Serial, wiring, ...) as core.a, built on first use and
// kept for the rest of the test run.
const std::filesystem::path& arduino_core_library() {
  static testing::TempDir dir;
  static const std::filesystem::path library = [] {
    const std::string flags = uno_flags();
    const std::string core = std::string(kArduinoAvr) + "/cores/arduino";
    const testing::ShellResult build = testing::run_shell(
        "for f in " + core + "/*.c; do avr-gcc " + flags + " -std=gnu11 -c $f -o $(basename $f).o || exit 1; done && "
        "for f in " + core + "/*.cpp; do avr-g++ " + flags + " " + kUnoCxxFlags +
            " -fpermissive -c $f -o $(basename $f).o || exit 1; done && "
        "for f in " + core + "/*.S; do avr-gcc " + flags + " -x assembler-with-cpp -c $f -o $(basename $f).o || exit 1; "
        "done && avr-gcc-ar rcs core.a *.o",
        dir.path());
    if (build.exit_code != 0) throw std::runtime_error("building the Arduino core failed: " + build.output);
    return dir.path() / "core.a";
  }();
  return library;
}

int64_t section_total(const std::string& size_output, const std::vector<std::string>& prefixes) {
  std::istringstream in(size_output);
  std::string line;
  int64_t total = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string section;
    int64_t size = 0;
    if (!(fields >> section >> size)) continue;
    for (const std::string& p : prefixes) total += section.starts_with(p) ? size : 0;
  }
  return total;
}

TEST(ArduinoLibrary, CompilesWithAvrGccForAnUnoAndFits) {
  for (Variant v : {Variant::kInt8Mlp, Variant::kInt8Cnn, Variant::kFloatMlp}) {
    SCOPED_TRACE(testing::variant_label(v));
    const DeployModel& model = testing::test_deploy_model(v).model;
    EmitOptions options;
    options.name = "kws";
    const GeneratedCode code = emit_c(model, options);
    testing::TempDir dir;
    write_package(dir.path() / "kws", package_files(code, model, PackageTarget::kArduino));
    const std::string flags = uno_flags();
    // The IDE compiles a sketch as C++ after prepending #include <Arduino.h>.
    const testing::ShellResult build = testing::run_shell(
        "for f in kws/src/*.c; do avr-gcc " + flags + " -std=c99 -Wall -Wextra -Werror -Ikws/src -c $f -o $f.o || exit 1; "
        "done && cp kws/examples/kws_serial/kws_serial.ino sketch.cpp && "
        "avr-g++ " + flags + " " + kUnoCxxFlags + " -Wall -Wextra -Werror -include Arduino.h -Ikws/src -c sketch.cpp && "
        "avr-gcc -mmcu=atmega328p -Os -Wl,--gc-sections sketch.o kws/src/*.o '" + arduino_core_library().string() +
            "' -lm -o sketch.elf && avr-size -A sketch.elf",
        dir.path());
    ASSERT_EQ(build.exit_code, 0) << build.output;
    const Device& uno = find_device("uno");
    EXPECT_GE(section_total(build.output, {".text"}), model.constant_bytes());
    // Serial from the real core: its transmit and receive buffers are in RAM.
    EXPECT_GT(section_total(build.output, {".bss"}), 2 * 64);
    EXPECT_LE(section_total(build.output, {".text", ".data"}), uno.flash_bytes);
    EXPECT_LE(section_total(build.output, {".data", ".bss"}), uno.ram_bytes);
  }
}

TEST(ArduinoLibrary, CodegenForADeviceRefusesAModelThatDoesNotFitAndWritesNothing) {
  // 64 -> 600 float32: ~160 KB of weights, 2.4 KB of activations.
  Model big = testing::random_model(Shape{{64}}, "dense:600,relu,dense:4,softmax", 5);
  testing::TempDir dir;
  save_model(big, dir.path() / "big.tmlm");
  CodegenConfig config;
  config.model = (dir.path() / "big.tmlm").string();
  config.target = "arduino";
  config.out = (dir.path() / "lib").string();
  config.device = "uno";
  try {
    run_codegen(config);
    FAIL() << "a 160 KB model was generated for an Uno";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kInvalid);
    EXPECT_NE(message.find("does not fit arduino-uno"), std::string::npos) << message;
    EXPECT_NE(message.find("flash"), std::string::npos) << message;
    EXPECT_NE(message.find("RAM"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "lib"));
  config.device = "esp32";  // the same model fits an ESP32
  EXPECT_NO_THROW(run_codegen(config));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "lib" / "library.properties"));
}

TEST(Devices, AliasesNameTheSameBoard) {
  EXPECT_EQ(&find_device("uno"), &find_device("arduino-uno"));
  EXPECT_EQ(&find_device("mega"), &find_device("arduino-mega"));
  EXPECT_EQ(&find_device("pico"), &find_device("rp2040"));
}

}  // namespace
}  // namespace tinymlops
