#include "tensor/generator.h"

#include <cmath>
#include <numbers>

namespace sprig {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Generator::Generator(uint64_t seed) {
  for (uint64_t& word : state_) word = splitmix64(seed);
}

uint64_t Generator::next_u64() {  // xoshiro256**
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

float Generator::uniform() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }
double Generator::uniform_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

// One Box-Muller pair per draw, the sine half dropped: the four state words are then the whole
// state, so a checkpointed generator resumes exactly.
float Generator::normal() {
  const double u1 = 1.0 - uniform_double();  // (0, 1]: log is finite
  const double u2 = uniform_double();
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
}

int64_t Generator::integer(int64_t bound) {
  SPRIG_CHECK(bound > 0, "Generator::integer: bound must be positive, got ", bound);
  const uint64_t b = static_cast<uint64_t>(bound);
  const uint64_t limit = UINT64_MAX - UINT64_MAX % b;  // reject the uneven tail
  uint64_t x;
  do x = next_u64();
  while (x >= limit);
  return static_cast<int64_t>(x % b);
}

Generator Generator::split(uint64_t stream) {
  uint64_t seed = next_u64() ^ (stream * 0xD1B54A32D192ED03ull);
  return Generator(splitmix64(seed));
}

void Generator::set_state(const std::array<uint64_t, 4>& state) {
  SPRIG_CHECK(state[0] | state[1] | state[2] | state[3], "Generator::set_state: all-zero state is invalid");
  state_ = state;
}

Tensor uniform(Shape shape, Generator& gen, float low, float high) {
  SPRIG_CHECK(low <= high, "uniform: low ", low, " > high ", high);
  Tensor t = Tensor::empty(std::move(shape));
  float* p = t.data();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = low + (high - low) * gen.uniform();
  return t;
}

Tensor normal(Shape shape, Generator& gen, float mean, float stddev) {
  SPRIG_CHECK(stddev >= 0, "normal: negative standard deviation ", stddev);
  Tensor t = Tensor::empty(std::move(shape));
  float* p = t.data();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = mean + stddev * gen.normal();
  return t;
}

}  // namespace sprig
