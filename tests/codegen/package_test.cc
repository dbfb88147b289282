// package.h: each target's layout and metadata, the example sketch built
// against a stub Arduino core, and write_package's replace-or-refuse rule.
#include "tinymlops/codegen/package.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "codegen/deploy_models.h"
#include "codegen/shell.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/version.h"
#include "tinymlops/runtime/engine.h"

namespace tinymlops {
namespace {

namespace fs = std::filesystem;
using testing::Variant;

struct Package {
  GeneratedCode code;
  std::map<std::string, std::string> files;  // path -> content
};

Package package(PackageTarget target, Variant variant = Variant::kFloatMlp) {
  const DeployModel& model = testing::test_deploy_model(variant).model;
  EmitOptions options;
  options.name = "kws";
  Package p;
  p.code = emit_c(model, options);
  for (const GeneratedFile& file : package_files(p.code, model, target)) {
    EXPECT_TRUE(p.files.emplace(file.path, file.content).second) << "duplicate " << file.path;
  }
  return p;
}

// "key=value" lines.
std::map<std::string, std::string> properties(const std::string& text) {
  std::map<std::string, std::string> result;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) result[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return result;
}

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    names.insert(fs::relative(entry.path(), dir).string());
  }
  return names;
}

TEST(PackageTarget, NamesRoundTripAndUnknownIsAUsageError) {
  for (PackageTarget t : {PackageTarget::kC, PackageTarget::kArduino, PackageTarget::kEspIdf, PackageTarget::kPlatformIo}) {
    EXPECT_EQ(parse_package_target(package_target_name(t)), t);
  }
  try {
    parse_package_target("zephyr");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find("arduino"), std::string::npos) << e.what();
  }
}

TEST(Package, PlainCIsTheCodeAReadmeAndTheMarker) {
  const Package p = package(PackageTarget::kC);
  std::set<std::string> expected{"README.md", ".tinymlops-codegen"};
  for (const GeneratedFile& file : p.code.files) {
    expected.insert(file.path);
    EXPECT_EQ(p.files.at(file.path), file.content);
  }
  std::set<std::string> actual;
  for (const auto& [path, content] : p.files) actual.insert(path);
  EXPECT_EQ(actual, expected);
  EXPECT_NE(p.files.at("README.md").find("kws_predict("), std::string::npos);
  EXPECT_NE(p.files.at("README.md").find(p.code.model_sha256), std::string::npos);
}

TEST(Package, ArduinoLibraryHasPropertiesSourcesAndAnExampleSketch) {
  const Package p = package(PackageTarget::kArduino);
  for (const GeneratedFile& file : p.code.files) EXPECT_EQ(p.files.at("src/" + file.path), file.content) << file.path;
  EXPECT_FALSE(p.files.count("kws.h"));
  const auto props = properties(p.files.at("library.properties"));
  // The fields the Arduino library specification (1.5) requires.
  for (const char* key : {"name", "version", "author", "maintainer", "sentence", "paragraph", "category", "url",
                          "architectures"}) {
    EXPECT_TRUE(props.count(key)) << key;
  }
  EXPECT_EQ(props.at("name"), "kws");
  EXPECT_EQ(props.at("version"), kLibraryVersion);
  EXPECT_TRUE(std::regex_match(props.at("version"), std::regex("[0-9]+\\.[0-9]+\\.[0-9]+")));
  EXPECT_EQ(props.at("includes"), "kws.h");
  EXPECT_EQ(props.at("category"), "Data Processing");  // one of the specification's categories
  EXPECT_NE(props.at("paragraph").find(p.code.model_sha256), std::string::npos);
  const std::string& sketch = p.files.at("examples/kws_serial/kws_serial.ino");
  EXPECT_NE(sketch.find("#include <kws.h>"), std::string::npos);
  EXPECT_NE(sketch.find("kws_labels[best]"), std::string::npos);
}

TEST(Package, EspIdfComponentListsEveryCFile) {
  const Package p = package(PackageTarget::kEspIdf, Variant::kInt8Cnn);
  const std::string& cmake = p.files.at("CMakeLists.txt");
  std::smatch srcs;
  ASSERT_TRUE(std::regex_search(cmake, srcs, std::regex("idf_component_register\\(SRCS ([^\\n]*)\\n")));
  std::set<std::string> listed;
  const std::string list = srcs[1];
  const std::regex quoted("\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), quoted); it != std::sregex_iterator(); ++it) {
    listed.insert((*it)[1]);
  }
  std::set<std::string> c_files;
  for (const auto& [path, content] : p.files) {
    if (path.ends_with(".c")) c_files.insert(path);
  }
  EXPECT_EQ(listed, c_files);
  EXPECT_TRUE(c_files.count("tml_conv.c"));
  EXPECT_NE(cmake.find("INCLUDE_DIRS \".\""), std::string::npos);
  EXPECT_NE(cmake.find("-ffp-contract=off"), std::string::npos);
  EXPECT_NE(p.files.at("idf_component.yml").find("version: \"" + std::string(kLibraryVersion) + "\""),
            std::string::npos);
  EXPECT_TRUE(p.files.count("kws.h"));
}

TEST(Package, PlatformIoLibraryJsonIsValid) {
  const Package p = package(PackageTarget::kPlatformIo);
  const nlohmann::json json = nlohmann::json::parse(p.files.at("library.json"));
  EXPECT_EQ(json["name"], "kws");
  EXPECT_EQ(json["version"], kLibraryVersion);
  EXPECT_TRUE(json["description"].is_string());
  EXPECT_NE(json["build"]["flags"].get<std::string>().find("-ffp-contract=off"), std::string::npos);
  for (const GeneratedFile& file : p.code.files) EXPECT_TRUE(p.files.count("src/" + file.path)) << file.path;
  EXPECT_EQ(p.files.at("examples/serial/main.cpp").rfind("#include <Arduino.h>\n", 0), 0u);
}

// Just enough of the Arduino core for the example sketch, on the host:
// parseFloat() reads numbers from stdin, print goes to stdout.
const char* kArduinoStub = R"(#pragma once
#include <cstdio>
class __FlashStringHelper;
#define F(text) (reinterpret_cast<const __FlashStringHelper*>(text))
struct StubSerial {
  void begin(long) {}
  int available() { int c = std::getc(stdin); if (c == EOF) return 0; std::ungetc(c, stdin); return 1; }
  float parseFloat() { float v = 0; if (std::scanf(" %f ,", &v) != 1) return 0; return v; }
  void print(const char* text) { std::printf("%s", text); }
  void print(char c) { std::printf("%c", c); }
  void print(int v) { std::printf("%d", v); }
  void println(const __FlashStringHelper* text) { std::printf("%s\n", reinterpret_cast<const char*>(text)); }
  void println(float v, int digits) { std::printf("%.*f\n", digits, static_cast<double>(v)); }
};
inline StubSerial Serial;
)";

// The Arduino and PlatformIO examples build against the library layout and
// print the label the reference engine predicts.
TEST(Package, ExampleSketchesBuildAndPredictWithAStubArduinoCore) {
  const testing::TestDeployModel& test = testing::test_deploy_model(Variant::kInt8Mlp);
  const Matrix rows = test.rows.topRows(3);
  const Matrix expected = ReferenceEngine(test.model).predict(rows);
  std::string input, labels;
  for (Eigen::Index r = 0; r < rows.rows(); ++r) {
    for (Eigen::Index c = 0; c < rows.cols(); ++c) input += std::to_string(rows(r, c)) + (c + 1 < rows.cols() ? "," : "\n");
    Eigen::Index best = 0;
    expected.row(r).maxCoeff(&best);
    labels += "c" + std::to_string(best) + " ";
  }
  const std::string main =
      "int main() {\n  setup();\n  for (int i = 0; i < 3; ++i) loop();\n  return 0;\n}\n";
  struct Case {
    PackageTarget target;
    std::string sketch, prelude;
  };
  for (const Case& c : {Case{PackageTarget::kArduino, "examples/kws_serial/kws_serial.ino", "#include \"Arduino.h\"\n"},
                        Case{PackageTarget::kPlatformIo, "examples/serial/main.cpp", ""}}) {
    SCOPED_TRACE(package_target_name(c.target));
    const Package p = package(c.target, Variant::kInt8Mlp);
    testing::TempDir dir;
    std::vector<GeneratedFile> files;
    for (const auto& [path, content] : p.files) files.push_back({path, content});
    files.push_back({"stub/Arduino.h", kArduinoStub});
    testing::write_files(dir.path(), files);
    write_file_atomic(dir.path() / "sketch.cpp", c.prelude + p.files.at(c.sketch) + main);
    write_file_atomic(dir.path() / "input.txt", input);
    const testing::ShellResult run = testing::run_shell(
        "for f in src/*.c; do cc -std=c99 -O2 -ffp-contract=off -Isrc -c $f -o $f.o || exit 1; done && "
        "c++ -std=c++17 -Wall -Wextra -Werror -Istub -Isrc sketch.cpp src/*.o -o sketch -lm && ./sketch < input.txt",
        dir.path());
    ASSERT_EQ(run.exit_code, 0) << run.output;
    std::istringstream out(run.output);
    std::string ready, word, printed;
    std::getline(out, ready);
    EXPECT_EQ(ready, "kws ready");
    float confidence = 0;
    while (out >> word >> confidence) {
      printed += word + " ";
      EXPECT_GT(confidence, 0.0f);
      EXPECT_LE(confidence, 1.0f);
    }
    EXPECT_EQ(printed, labels);
  }
}

TEST(WritePackage, WritesFilesAndReplacesItsOwnPreviousOutput) {
  testing::TempDir dir;
  const fs::path out = dir.path() / "pkg";
  const Package first = package(PackageTarget::kArduino, Variant::kInt8Cnn);
  std::vector<GeneratedFile> files;
  for (const auto& [path, content] : first.files) files.push_back({path, content});
  write_package(out, files);
  for (const GeneratedFile& file : files) EXPECT_EQ(read_file(out / file.path), file.content) << file.path;
  EXPECT_TRUE(fs::exists(out / "src/tml_conv.c"));

  // A second package of an MLP, as plain C, replaces the first entirely.
  const Package second = package(PackageTarget::kC, Variant::kFloatMlp);
  std::vector<GeneratedFile> replacement;
  std::set<std::string> expected;
  for (const auto& [path, content] : second.files) {
    replacement.push_back({path, content});
    expected.insert(path);
  }
  write_package(out, replacement);
  EXPECT_EQ(listing(out), expected);
  // Nothing but the package is left next to it: no staging or old folders.
  EXPECT_EQ(listing(dir.path()).size(), expected.size() + 1);
  EXPECT_EQ(fs::directory_iterator(dir.path())->path(), out);
}

TEST(WritePackage, AnEmptyFolderIsUsedAndAMissingParentIsCreated) {
  testing::TempDir dir;
  const std::vector<GeneratedFile> files = package_files(package(PackageTarget::kC).code,
                                                         testing::test_deploy_model(Variant::kFloatMlp).model,
                                                         PackageTarget::kC);
  fs::create_directory(dir.path() / "empty");
  write_package(dir.path() / "empty", files);
  EXPECT_TRUE(fs::exists(dir.path() / "empty/kws.h"));
  write_package(dir.path() / "a/b/c", files);
  EXPECT_TRUE(fs::exists(dir.path() / "a/b/c/kws.c"));
  EXPECT_EQ(listing(dir.path() / "a/b").size(), files.size() + 1);
}

TEST(WritePackage, ATrailingSlashNamesTheSameFolder) {
  testing::TempDir dir;
  const std::vector<GeneratedFile> files = package_files(package(PackageTarget::kC).code,
                                                         testing::test_deploy_model(Variant::kFloatMlp).model,
                                                         PackageTarget::kC);
  const std::string out = (dir.path() / "pkg").string() + "/";
  write_package(out, files);
  write_package(out, files);  // replaces its own output
  EXPECT_TRUE(fs::exists(dir.path() / "pkg/kws.h"));
  EXPECT_EQ(listing(dir.path()).size(), files.size() + 1);
}

TEST(WritePackage, RefusesAFolderItDidNotWriteAndLeavesItUntouched) {
  testing::TempDir dir;
  const std::vector<GeneratedFile> files = package_files(package(PackageTarget::kC).code,
                                                         testing::test_deploy_model(Variant::kFloatMlp).model,
                                                         PackageTarget::kC);
  const fs::path out = dir.path() / "project";
  dir.write("project/main.c", "int main(void) { return 0; }\n");
  dir.write("project/kws.h", "/* mine */\n");
  dir.write("report.txt", "x");
  const auto before = listing(dir.path());
  for (const fs::path& target : {out, dir.path() / "report.txt"}) {
    try {
      write_package(target, files);
      ADD_FAILURE() << "no error for " << target;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kUsage) << e.what();
    }
  }
  EXPECT_EQ(listing(dir.path()), before);
  EXPECT_EQ(read_file(out / "kws.h"), "/* mine */\n");
  EXPECT_EQ(read_file(dir.path() / "report.txt"), "x");
}

}  // namespace
}  // namespace tinymlops
