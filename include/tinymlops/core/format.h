// Numbers as people read them in the tool's text output.
#pragma once

#include <cstdint>
#include <string>

namespace tinymlops {

// "512 B", "1.5 KiB", "4.0 MiB", ... (powers of 1024, one decimal above bytes,
// up to TiB).
std::string format_bytes(uint64_t bytes);

}  // namespace tinymlops
