// The module graph of docs/architecture.md, checked against the code: every
// `#include "tinymlops/<module>/..."` (and "tml_*.h" of kernels/) in a module's
// sources and public headers, and every CMake link line between modules.
//
// A module may include what it links directly, and what those link, and so on;
// its link line must name exactly the modules of the table; and each module it
// links directly must be included by at least one of its files (a link the code
// does not use would let a later upward call link silently).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// Each module and the modules it links directly (docs/architecture.md, "Layers").
const std::map<std::string, std::set<std::string>> kModuleGraph = {
    {"core", {}},
    {"kernels", {}},
    {"data", {"core"}},
    {"nn", {"data"}},
    {"runtime", {"nn", "kernels"}},
    {"compress", {"runtime"}},
    {"codegen", {"runtime"}},
    {"deploy", {"codegen"}},
    {"interop", {"runtime"}},
    {"store", {"core"}},
    {"pipeline", {"store"}},
    {"track", {"pipeline"}},
    {"fl", {"runtime", "track"}},
    {"serve", {"runtime", "track"}},
    {"plate_ocr", {"runtime"}},  // the application apps/plate-ocr
};

const fs::path kSource = TINYMLOPS_SOURCE_DIR;

// The folders holding a module's code.
std::vector<fs::path> module_folders(const std::string& module) {
  if (module == "plate_ocr") return {kSource / "apps/plate-ocr"};
  if (module == "kernels") return {kSource / "kernels"};
  return {kSource / "src" / module, kSource / "include/tinymlops" / module};
}

std::set<std::string> closure(const std::string& module) {
  std::set<std::string> reached;
  std::vector<std::string> stack(kModuleGraph.at(module).begin(), kModuleGraph.at(module).end());
  while (!stack.empty()) {
    const std::string next = stack.back();
    stack.pop_back();
    if (!reached.insert(next).second) continue;
    for (const std::string& below : kModuleGraph.at(next)) stack.push_back(below);
  }
  return reached;
}

std::string read(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Include {
  std::string file;  // relative to the source tree, with the line
  std::string module;
};

// The other modules the files of `module` include.
std::vector<Include> includes_of(const std::string& module) {
  static const std::regex library(R"re(^\s*#\s*include\s*"tinymlops/([a-z_]+)/)re");
  static const std::regex kernel(R"re(^\s*#\s*include\s*"tml_[a-z0-9_]+\.h")re");
  std::vector<Include> found;
  for (const fs::path& folder : module_folders(module)) {
    if (!fs::exists(folder)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
      const std::string extension = entry.path().extension().string();
      if (extension != ".h" && extension != ".cc" && extension != ".c") continue;
      if (module == "plate_ocr" && entry.path().string().find("/tests/") != std::string::npos) continue;
      std::ifstream in(entry.path());
      std::string line;
      for (int number = 1; std::getline(in, line); ++number) {
        const std::string where = fs::relative(entry.path(), kSource).string() + ":" + std::to_string(number);
        std::smatch match;
        if (std::regex_search(line, match, library) && match[1] != module) found.push_back({where, match[1]});
        if (module != "kernels" && std::regex_search(line, kernel)) found.push_back({where, "kernels"});
      }
    }
  }
  return found;
}

// Module -> the tinymlops_* libraries its CMake target links, from
// tinymlops_module(name dependencies...) in CMakeLists.txt and the
// target_link_libraries of apps/*/CMakeLists.txt.
std::map<std::string, std::set<std::string>> cmake_links() {
  std::map<std::string, std::set<std::string>> links;
  const std::regex module_line(R"re(tinymlops_module\((\w+)([^)]*)\))re");
  const std::regex app_line(R"re(target_link_libraries\(tinymlops_(plate_ocr)\s+PUBLIC([^)]*)\))re");
  const std::regex library(R"re(\btinymlops_(\w+))re");
  const auto add = [&](const std::string& text, const std::regex& line) {
    for (std::sregex_iterator it(text.begin(), text.end(), line), end; it != end; ++it) {
      std::set<std::string>& libraries = links[(*it)[1]];
      const std::string rest = (*it)[2];
      for (std::sregex_iterator lib(rest.begin(), rest.end(), library); lib != end; ++lib) libraries.insert((*lib)[1]);
    }
  };
  add(read(kSource / "CMakeLists.txt"), module_line);
  add(read(kSource / "apps/plate-ocr/CMakeLists.txt"), app_line);
  return links;
}

TEST(Layering, EveryIncludeFollowsTheModuleGraph) {
  for (const auto& [module, direct] : kModuleGraph) {
    const std::set<std::string> allowed = closure(module);
    for (const Include& include : includes_of(module)) {
      EXPECT_TRUE(allowed.count(include.module))
          << include.file << ": " << module << " includes " << include.module
          << ", which is not below it in the module graph (tests/api/layering_test.cc, docs/architecture.md)";
    }
  }
}

TEST(Layering, LinkLinesNameExactlyTheGraphsEdges) {
  const std::map<std::string, std::set<std::string>> links = cmake_links();
  for (const auto& [module, direct] : kModuleGraph) {
    if (module == "kernels") continue;  // a plain C library (CMakeLists.txt), linked by runtime
    std::set<std::string> expected = direct;
    if (module == "core") expected = {"isa_level_check"};  // linked whole into core (docs/reproducibility.md)
    ASSERT_TRUE(links.count(module)) << "no CMake target found for " << module;
    EXPECT_EQ(links.at(module), expected) << "the link line of " << module;
  }
}

TEST(Layering, EveryDirectLinkIsUsed) {
  for (const auto& [module, direct] : kModuleGraph) {
    std::set<std::string> included;
    for (const Include& include : includes_of(module)) included.insert(include.module);
    for (const std::string& below : direct) {
      EXPECT_TRUE(included.count(below)) << module << " links " << below << " but none of its files includes it";
    }
  }
}

}  // namespace
