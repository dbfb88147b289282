#include "tinymlops/store/config.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/error.h"

namespace tinymlops::store {
namespace {

using tinymlops::testing::TempDir;

std::string config_error(const std::filesystem::path& file) {
  try {
    read_project_config(file);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ProjectConfig, ReadsEveryKey) {
  TempDir dir;
  auto file = dir.write("tinymlops.yaml",
                        "remotes:\n  origin: /mnt/share/remote\n  backup: ../backup\n"
                        "default_remote: origin\ntracking: postgresql://me@/db?host=/tmp/pg\n"
                        "gates:\n  - accuracy >= 0.90\n  - flash_bytes <= 65536\n");
  ProjectConfig c = read_project_config(file);
  EXPECT_EQ(c.remotes.size(), 2u);
  EXPECT_EQ(c.remotes.at("origin"), "/mnt/share/remote");
  EXPECT_EQ(c.remotes.at("backup"), "../backup");
  EXPECT_EQ(c.default_remote, "origin");
  EXPECT_EQ(c.tracking, "postgresql://me@/db?host=/tmp/pg");
  EXPECT_EQ(c.gates, (std::vector<std::string>{"accuracy >= 0.90", "flash_bytes <= 65536"}));
}

TEST(ProjectConfig, EmptyFileAndInitTemplateGiveDefaults) {
  TempDir dir;
  for (const std::string& text : {std::string(""), default_project_config_text()}) {
    ProjectConfig c = read_project_config(dir.write("tinymlops.yaml", text));
    EXPECT_TRUE(c.remotes.empty());
    EXPECT_EQ(c.default_remote, "");
    EXPECT_EQ(c.tracking, "sqlite");
    EXPECT_TRUE(c.gates.empty());
  }
}

TEST(ProjectConfig, ErrorsNameFileLineAndColumn) {
  TempDir dir;
  auto file = dir.write("a.yaml", "tracking: sqlite\nremotse:\n  origin: /x\n");
  EXPECT_EQ(config_error(file), file.string() + ":2:1: unknown key 'remotse' (known: remotes, default_remote, tracking, gates)");
  file = dir.write("b.yaml", "gates: accuracy >= 0.9\n");
  EXPECT_EQ(config_error(file), file.string() + ":1:8: 'gates' must be a list of expressions");
  file = dir.write("c.yaml", "remotes:\n  origin:\n    - /x\n");
  EXPECT_EQ(config_error(file), file.string() + ":3:5: remote 'origin' must be a string");
  file = dir.write("d.yaml", "remotes:\n  origin: /x\ndefault_remote: orgin\n");
  EXPECT_EQ(config_error(file), file.string() + ":3:17: default_remote 'orgin' is not one of the remotes");
  file = dir.write("e.yaml", "tracking: mysql://x\n");
  EXPECT_NE(config_error(file).find(file.string() + ":1:11: 'tracking' must be sqlite or a postgresql:// URL"), std::string::npos);
  file = dir.write("f.yaml", "remotes: [unclosed\n");
  EXPECT_EQ(config_error(file).rfind(file.string() + ":", 0), 0u) << config_error(file);
  file = dir.write("g.yaml", "- just\n- a list\n");
  EXPECT_EQ(config_error(file), file.string() + ":1:1: expected a mapping (key: value)");
}

}  // namespace
}  // namespace tinymlops::store
