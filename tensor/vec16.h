#pragma once
// Sixteen floats as one value (GCC/Clang vector extension): one AVX-512 register, two AVX2 ones.
// The sparse kernels use it where plain loops mislead GCC 12: with a row block of accumulators it
// vectorises across the stored entries instead, with gathers, and runs 5-10x slower.
#include <cstdint>
#include <cstring>

namespace sprig::simd {

using Vec16 = float __attribute__((vector_size(64)));
using Lane16 = int32_t __attribute__((vector_size(64)));

inline Vec16 load16(const float* p) {  // unaligned
  Vec16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store16(float* p, Vec16 v) { std::memcpy(p, &v, sizeof v); }
inline Vec16 splat16(float x) { return x - Vec16{}; }

// Halves added: lanes i and i + 8 (then i + 4, ...), a fixed order, so the same bits on every call.
template <class Half, class Whole>
inline Half fold(Whole v) {
  Half lo, hi;
  std::memcpy(&lo, &v, sizeof lo);
  std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof lo, sizeof hi);
  return lo + hi;
}
inline float sum16(Vec16 v) {
  using Vec8 = float __attribute__((vector_size(32)));
  using Vec4 = float __attribute__((vector_size(16)));
  const Vec4 q = fold<Vec4>(fold<Vec8>(v));
  return (q[0] + q[2]) + (q[1] + q[3]);
}

}  // namespace sprig::simd
