// Packaging generated code for a build system: a plain folder, an Arduino
// library, an ESP-IDF component or a PlatformIO library (docs/codegen.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tinymlops/codegen/c_emitter.h"

namespace tinymlops {

enum class PackageTarget { kC, kArduino, kEspIdf, kPlatformIo };
const char* package_target_name(PackageTarget target);  // "c", "arduino", "esp-idf", "platformio"
// Throws Error(kUsage) listing the targets for an unknown name.
PackageTarget parse_package_target(const std::string& name);

// The files of `code` laid out for `target`, paths relative to the package root:
//   c           <name>.h, <name>.c, kernels, README.md
//   arduino     library.properties, src/..., examples/<name>_serial/<name>_serial.ino
//   esp-idf     CMakeLists.txt, idf_component.yml, the sources, README.md
//   platformio  library.json, src/..., examples/serial/main.cpp
std::vector<GeneratedFile> package_files(const GeneratedCode& code, const DeployModel& model, PackageTarget target);

// Writes `files` under `out` as one step: into a temporary sibling folder,
// then renamed into place, so a failure leaves no half-written package. An
// existing `out` is replaced only when it is empty or holds a package written
// here before (its .tinymlops-codegen marker); anything else is the user's and
// gets Error(kUsage).
void write_package(const std::filesystem::path& out, const std::vector<GeneratedFile>& files);

}  // namespace tinymlops
