#pragma once
// Seedable random numbers with no hidden global state: every random tensor names its Generator.
// xoshiro256** seeded through splitmix64; normals by Box-Muller in double. Draws are serial, so a
// seed gives the same numbers whatever the thread count.
#include <array>
#include <cstdint>

#include "tensor/tensor.h"

namespace sprig {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0);

  uint64_t next_u64();
  float uniform();                        // [0, 1), 24 random bits
  double uniform_double();                // [0, 1), 53 random bits
  float normal();                         // mean 0, std 1
  int64_t integer(int64_t bound);         // uniform on [0, bound), unbiased
  Generator split(uint64_t stream);       // an independent generator derived from this one's state

  // The whole state, for checkpoints.
  std::array<uint64_t, 4> state() const { return state_; }
  void set_state(const std::array<uint64_t, 4>& state);

 private:
  std::array<uint64_t, 4> state_;
};

Tensor uniform(Shape shape, Generator& gen, float low = 0.0f, float high = 1.0f);
Tensor normal(Shape shape, Generator& gen, float mean = 0.0f, float stddev = 1.0f);

}  // namespace sprig
