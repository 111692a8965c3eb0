#pragma once
// Eight and sixteen floats as one value (GCC/Clang vector extensions): one AVX2 or AVX-512
// register. For loops where plain code misleads GCC 12: the sparse kernels' row blocks (it
// vectorised across the stored entries instead, with gathers, 5-10x slower) and the 8x8 transpose
// (scalar otherwise, 2.5x slower).
#include <cstdint>
#include <cstring>

namespace sprig::simd {

using Vec16 = float __attribute__((vector_size(64)));
using Lane16 = int32_t __attribute__((vector_size(64)));
using Vec8 = float __attribute__((vector_size(32)));
using Vec4 = float __attribute__((vector_size(16)));

inline Vec16 load16(const float* p) {  // unaligned
  Vec16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store16(float* p, Vec16 v) { std::memcpy(p, &v, sizeof v); }
inline Vec16 splat16(float x) { return x - Vec16{}; }
inline Vec8 load8(const float* p) {
  Vec8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store8(float* p, Vec8 v) { std::memcpy(p, &v, sizeof v); }

// Halves added: lanes i and i + 8 (then i + 4, ...), a fixed order, so the same bits on every call.
template <class Half, class Whole>
inline Half fold(Whole v) {
  Half lo, hi;
  std::memcpy(&lo, &v, sizeof lo);
  std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof lo, sizeof hi);
  return lo + hi;
}
inline float sum16(Vec16 v) {
  const Vec4 q = fold<Vec4>(fold<Vec8>(v));
  return (q[0] + q[2]) + (q[1] + q[3]);
}

// x: 8 rows ld apart -> y: 8 rows n apart, y[i, j] = x[j, i]: three rounds of shuffles in registers
// (interleave pairs, then pairs of pairs, then 128-bit halves), as the classic AVX 8x8 transpose.
inline void transpose8x8(const float* x, int64_t ld, float* y, int64_t n) {
  Vec8 r[8], t[8], u[8];
  for (int i = 0; i < 8; ++i) r[i] = load8(x + i * ld);
  for (int i = 0; i < 8; i += 2) {
    t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int i = 0; i < 8; i += 4)
    for (int k = 0; k < 2; ++k) {
      u[i + 2 * k] = __builtin_shufflevector(t[i + k], t[i + k + 2], 0, 1, 8, 9, 4, 5, 12, 13);
      u[i + 2 * k + 1] = __builtin_shufflevector(t[i + k], t[i + k + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    }
  for (int k = 0; k < 4; ++k) {
    store8(y + k * n, __builtin_shufflevector(u[k], u[k + 4], 0, 1, 2, 3, 8, 9, 10, 11));
    store8(y + (k + 4) * n, __builtin_shufflevector(u[k], u[k + 4], 4, 5, 6, 7, 12, 13, 14, 15));
  }
}

}  // namespace sprig::simd
