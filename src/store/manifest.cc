#include "tinymlops/store/manifest.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tinymlops/core/error.h"
#include "tinymlops/store/hashing.h"

namespace tinymlops::store {

namespace {

bool is_clean_relative_path(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return path.find('\0') == std::string::npos;
}

// A JSON string literal; plain paths (the common case) are copied as they are.
std::string json_string(const std::string& text) {
  for (char c : text) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return nlohmann::json(text).dump();
    }
  }
  return "\"" + text + "\"";
}

}  // namespace

std::string format_manifest(std::vector<ManifestEntry> entries) {
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  std::string text = "[\n";
  text.reserve(entries.size() * 140 + 4);
  for (size_t i = 0; i < entries.size(); ++i) {
    // The same bytes nlohmann::json::dump() gives for this object, without building it.
    text += "{\"path\":";
    text += json_string(entries[i].path);
    text += ",\"hash\":\"" + entries[i].hash + "\",\"size\":" + std::to_string(entries[i].size) +
            ",\"mode\":" + std::to_string(entries[i].mode) + "}";
    text += i + 1 < entries.size() ? ",\n" : "\n";
  }
  text += "]\n";
  return text;
}

std::vector<ManifestEntry> parse_manifest(const std::string& bytes, const std::string& source) {
  nlohmann::json list;
  try {
    list = nlohmann::json::parse(bytes);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kFormat, source, std::string("not a directory manifest: ") + e.what());
  }
  if (!list.is_array()) throw Error(ErrorKind::kFormat, source, "not a directory manifest: expected a JSON list");
  std::vector<ManifestEntry> entries;
  entries.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& item = list[i];
    const std::string where = "manifest entry " + std::to_string(i + 1);
    if (!item.is_object() || item.size() != 4 || !item.contains("path") || !item["path"].is_string() ||
        !item.contains("hash") || !item["hash"].is_string() || !item.contains("size") ||
        !item["size"].is_number_unsigned() || !item.contains("mode") || !item["mode"].is_number_unsigned()) {
      throw Error(ErrorKind::kFormat, source, where + ": expected {\"path\", \"hash\", \"size\", \"mode\"}");
    }
    ManifestEntry entry;
    entry.path = item["path"].get<std::string>();
    entry.hash = item["hash"].get<std::string>();
    entry.size = item["size"].get<uint64_t>();
    entry.mode = item["mode"].get<uint32_t>() & 07777;
    if (!is_clean_relative_path(entry.path)) throw Error(ErrorKind::kFormat, source, where + ": bad path '" + entry.path + "'");
    if (!is_sha256_hex(entry.hash)) throw Error(ErrorKind::kFormat, source, where + ": bad hash '" + entry.hash + "'");
    if (!entries.empty() && !(entries.back().path < entry.path)) {
      throw Error(ErrorKind::kFormat, source, where + ": paths not sorted or repeated ('" + entry.path + "')");
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace tinymlops::store
