// The C programs verify builds around generated code (internal to src/deploy).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinymlops {

struct HarnessRows {
  int count = 0;
  std::vector<float> raw;         // count x input_size raw values, row-major
  std::vector<int32_t> quantized;  // integer models: the host's quantized normalized input, row-major
};

// harness.c: runs every row through the model's float entry point (and its
// integer entry point when integer_bits is 8 or 16) and prints, one record per
// line ending in " ;":
//   "S <bytes>"            peak stack of the first inference (when measurable)
//   "F <row> <j> <hex>"    float output j as its IEEE bit pattern
//   "Q <row> <j> <value>"  integer output j
//   "X <row>"              an entry point returned an error
//   "C <count> <rows>"     counter units spent in the float entry point
//   "P <step> <count>"     compiled with -D<NAME>_PROFILE: counter units spent in
//                          each step of the float entry point, marks included
//   "H <count>"            ... and in one back-to-back mark per row
//   "END"
std::string harness_source(const std::string& name, const HarnessRows& rows, int integer_bits);

// A program calling every entry point (with_model) or none; the difference of
// their sizes is what the model adds to a firmware.
std::string probe_source(const std::string& name, bool with_model, int integer_bits);

}  // namespace tinymlops
