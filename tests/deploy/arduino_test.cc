// The Arduino library that `codegen --target arduino` writes compiles with
// avr-gcc for an ATmega328P (an Arduino Uno): the sources as C99, the example
// sketch as C++ against a minimal stand-in for the Arduino core, linked into
// one program that fits the Uno's 32 KB of flash and 2 KB of RAM.
#include <gtest/gtest.h>

#include <sstream>

#include "codegen/deploy_models.h"
#include "codegen/shell.h"
#include "test_util.h"
#include "tinymlops/codegen/package.h"
#include "tinymlops/core/error.h"
#include "tinymlops/deploy/devices.h"
#include "tinymlops/deploy/workflow.h"
#include "tinymlops/runtime/deploy_model.h"

namespace tinymlops {
namespace {

using testing::Variant;

// The part of the Arduino core the sketch uses, declared for avr-g++ and
// defined trivially (this test checks that the library builds, not Serial).
const char* kAvrArduinoStub = R"(#pragma once
#include <avr/pgmspace.h>
class __FlashStringHelper;
#define F(text) (reinterpret_cast<const __FlashStringHelper*>(PSTR(text)))
struct HardwareSerial {
  void begin(unsigned long) {}
  int available() { return 1; }
  float parseFloat() { return 0.0f; }
  void print(const char*) {}
  void print(char) {}
  void print(int) {}
  void println(const __FlashStringHelper*) {}
  void println(float, int) {}
};
extern HardwareSerial Serial;
)";

const char* kAvrMain = R"(#include "Arduino.h"
HardwareSerial Serial;
void setup();
void loop();
int main() {
  setup();
  for (;;) loop();
}
)";

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
    testing::write_files(dir.path(), {{"stub/Arduino.h", kAvrArduinoStub}, {"stub/main.cpp", kAvrMain}});
    const std::string mcu = "-mmcu=atmega328p -Os -ffunction-sections -fdata-sections";
    const testing::ShellResult build = testing::run_shell(
        "for f in kws/src/*.c; do avr-gcc " + mcu + " -std=c99 -Wall -Wextra -Werror -Ikws/src -c $f -o $f.o || exit 1; "
        "done && cp kws/examples/kws_serial/kws_serial.ino sketch.cpp && "
        "avr-g++ " + mcu + " -std=gnu++11 -Wall -Wextra -Werror -include Arduino.h -Istub -Ikws/src -c sketch.cpp && "
        "avr-g++ " + mcu + " -Istub -c stub/main.cpp -o main.o && "
        "avr-g++ " + mcu + " -Wl,--gc-sections sketch.o main.o kws/src/*.o -lm -o sketch.elf && avr-size -A sketch.elf",
        dir.path());
    ASSERT_EQ(build.exit_code, 0) << build.output;
    const Device& uno = find_device("uno");
    EXPECT_GE(section_total(build.output, {".text"}), model.constant_bytes());
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
