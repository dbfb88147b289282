// Small helpers for asserting on tinymlops::Error in the data tests.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <optional>
#include <string>

#include "tinymlops/core/error.h"

namespace tinymlops::testing {

// Runs `f`, which must throw tinymlops::Error. Records a failure (and returns
// nullopt) if it returns normally or throws something else.
template <typename F>
std::optional<Error> catch_error(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected tinymlops::Error, got std::exception: " << e.what();
    return std::nullopt;
  }
  ADD_FAILURE() << "expected tinymlops::Error, nothing was thrown";
  return std::nullopt;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// True if `location` is exactly `prefix` or `prefix` followed by ":<digits>"
// (i.e. the same place with a column appended).
inline bool location_is_or_has_column(const std::string& location, const std::string& prefix) {
  if (location == prefix) return true;
  if (location.size() <= prefix.size() + 1) return false;
  if (location.compare(0, prefix.size(), prefix) != 0) return false;
  if (location[prefix.size()] != ':') return false;
  for (size_t i = prefix.size() + 1; i < location.size(); ++i) {
    if (location[i] < '0' || location[i] > '9') return false;
  }
  return true;
}

}  // namespace tinymlops::testing

#define EXPECT_CONTAINS(haystack, needle)                                              \
  EXPECT_TRUE(::tinymlops::testing::contains(std::string(haystack), std::string(needle))) \
      << "expected \"" << (needle) << "\" in: " << (haystack)
