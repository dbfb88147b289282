#include "tinymlops/store/pointer.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "tinymlops/core/error.h"
#include "tinymlops/store/manifest.h"

namespace tinymlops::store {
namespace {

using tinymlops::testing::TempDir;

const std::string kHash = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

std::string pointer_error(const std::filesystem::path& file) {
  try {
    read_pointer(file);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Pointer, RoundTripsFilesAndDirectories) {
  TempDir dir;
  Pointer file{{kHash, ObjectKind::kFile}, 6, 1, "data set.csv"};
  Pointer back = read_pointer(dir.write("f.tinymlops", format_pointer(file)));
  EXPECT_EQ(back.id, file.id);
  EXPECT_EQ(back.size, 6u);
  EXPECT_EQ(back.path, "data set.csv");
  Pointer directory{{kHash, ObjectKind::kDirectory}, 12345, 3, "images"};
  std::string text = format_pointer(directory);
  EXPECT_NE(text.find("files: 3\n"), std::string::npos);
  back = read_pointer(dir.write("d.tinymlops", text));
  EXPECT_EQ(back.id.kind, ObjectKind::kDirectory);
  EXPECT_EQ(back.files, 3u);
  EXPECT_EQ(target_of(dir.path() / "d.tinymlops", back), dir.path() / "images");
}

TEST(Pointer, BadPointerFilesNameFileAndLine) {
  TempDir dir;
  auto f = dir.write("a.tinymlops", "version: 1\nkind: file\nhash: abc\nsize: 1\npath: a\n");
  EXPECT_EQ(pointer_error(f), f.string() + ":3:7: hash must be 64 lower-case hex digits");
  f = dir.write("b.tinymlops", "version: 1\nkind: file\nhash: " + kHash + "\nsize: 1\npath: b\ncolour: red\n");
  EXPECT_EQ(pointer_error(f), f.string() + ":6:1: unknown key 'colour' (a pointer has version, kind, hash, size, files, path)");
  f = dir.write("c.tinymlops", "version: 1\nkind: folder\nhash: " + kHash + "\nsize: 1\npath: c\n");
  EXPECT_EQ(pointer_error(f), f.string() + ":2:7: kind must be file or directory, not 'folder'");
  f = dir.write("d.tinymlops", "version: 1\nkind: file\nhash: " + kHash + "\nsize: -4\npath: d\n");
  EXPECT_EQ(pointer_error(f), f.string() + ":4:7: 'size' must be a whole number >= 0");
  f = dir.write("e.tinymlops", "version: 2\n");
  EXPECT_NE(pointer_error(f).find(f.string() + ":1:10: pointer version 2 is not supported"), std::string::npos);
  f = dir.write("g.tinymlops", "version: 1\nkind: file\nhash: " + kHash + "\nsize: 1\npath: ../etc/passwd\n");
  EXPECT_EQ(pointer_error(f).rfind(f.string() + ":5:7: path must be", 0), 0u) << pointer_error(f);
  f = dir.write("h.tinymlops", "version: 1\nkind: file\n");
  EXPECT_EQ(pointer_error(f), f.string() + ": not a complete pointer file: 'hash' is missing");
  f = dir.write("i.tinymlops", "kind: [file\n");
  EXPECT_EQ(pointer_error(f).rfind(f.string() + ":", 0), 0u);
}

TEST(Pointer, NamesAndSuffix) {
  EXPECT_EQ(pointer_file_for("data/"), std::filesystem::path("data.tinymlops"));
  EXPECT_EQ(pointer_file_for("a/b.csv"), std::filesystem::path("a/b.csv.tinymlops"));
  EXPECT_TRUE(is_pointer_file("x.csv.tinymlops"));
  EXPECT_FALSE(is_pointer_file(".tinymlops"));
  EXPECT_FALSE(is_pointer_file("x.csv"));
}

TEST(Manifest, SortedDeterministicAndValidated) {
  std::vector<ManifestEntry> entries = {{"b.txt", kHash, 2, 0644}, {"a/z.bin", kHash, 1, 0755}};
  std::string text = format_manifest(entries);
  EXPECT_EQ(text, "[\n{\"path\":\"a/z.bin\",\"hash\":\"" + kHash + "\",\"size\":1,\"mode\":493},\n{\"path\":\"b.txt\",\"hash\":\"" +
                      kHash + "\",\"size\":2,\"mode\":420}\n]\n");
  auto back = parse_manifest(text, "m");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].path, "a/z.bin");
  EXPECT_EQ(back[0].mode, 0755u);
  EXPECT_EQ(format_manifest({}), "[\n]\n");
  std::string unsorted = "[{\"path\":\"b\",\"hash\":\"" + kHash + "\",\"size\":1,\"mode\":420},{\"path\":\"a\",\"hash\":\"" +
                         kHash + "\",\"size\":1,\"mode\":420}]";
  EXPECT_THROW(parse_manifest(unsorted, "m"), Error);
  std::string escape = "[{\"path\":\"../x\",\"hash\":\"" + kHash + "\",\"size\":1,\"mode\":420}]";
  EXPECT_THROW(parse_manifest(escape, "m"), Error);
  EXPECT_THROW(parse_manifest("{}", "m"), Error);
}

}  // namespace
}  // namespace tinymlops::store
