// The library's version, and the instruction set its float code was built for.
#pragma once

namespace tinymlops {

// "MAJOR.MINOR.PATCH".
inline constexpr const char* kLibraryVersion = TINYMLOPS_VERSION;

// The architecture and -march of this build, e.g. "x86_64 -march=x86-64-v3", or the
// architecture alone for the compiler's default. Builds with the same value give the
// same bytes for the same seed, data and parameters on every machine that runs them;
// builds with different values may differ in the last bits of trained floats
// (docs/reproducibility.md). Recorded in a trained model's provenance.
const char* build_isa();

}  // namespace tinymlops
