// A seeded, portable pseudo-random generator.
//
// The C++ standard leaves std::*_distribution implementation-defined, so the same
// seed would give different numbers under another standard library. Rng defines
// every draw itself (xoshiro256** seeded through splitmix64), so a seed names one
// sequence everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace tinymlops {

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t next_u64();
  // Uniform in [0, 1), 24 random bits.
  float uniform();
  // Uniform in [low, high).
  float uniform(float low, float high);
  // Standard normal (Box-Muller over two uniforms; no cached second value, so a
  // draw's value depends only on the generator state).
  float normal();
  // Uniform integer in [0, n). REQUIRES: n > 0. Unbiased (rejection sampling).
  uint64_t below(uint64_t n);
  // Fisher-Yates shuffle.
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(below(i));
      std::swap(items[i - 1], items[j]);
    }
  }
  // An independent generator derived from this one's next output.
  Rng split();

 private:
  uint64_t state_[4];
};

}  // namespace tinymlops
