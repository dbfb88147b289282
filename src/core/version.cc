#include "tinymlops/core/version.h"

namespace tinymlops {

const char* build_isa() { return TINYMLOPS_BUILD_ISA; }

}  // namespace tinymlops
