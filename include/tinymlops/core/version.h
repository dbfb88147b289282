// The library's version, as "MAJOR.MINOR.PATCH".
#pragma once

namespace tinymlops {

inline constexpr const char* kLibraryVersion = TINYMLOPS_VERSION;

}  // namespace tinymlops
