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

// Lanes i and i + 8 added: sixteen partial sums folded to eight (shuffles keep it in registers;
// a memcpy of the halves made GCC keep every accumulator on the stack).
inline Vec8 fold16(Vec16 v) {
  return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
         __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
}
// Neighbours added: [a0+a1, a2+a3, b0+b1, b2+b3, a4+a5, a6+a7, b4+b5, b6+b7] (AVX's hadd).
inline Vec8 hadd8(Vec8 a, Vec8 b) {
  return __builtin_shufflevector(a, b, 0, 2, 8, 10, 4, 6, 12, 14) + __builtin_shufflevector(a, b, 1, 3, 9, 11, 5, 7, 13, 15);
}

// The sum of v's lanes, in a fixed order: fold16, then ((s0+s1)+(s2+s3)) + ((s4+s5)+(s6+s7)).
inline float sum16(Vec16 v) {
  const Vec8 s = fold16(v);
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}
// sum16 of eight vectors at once, lane e = sum16(v[e]) bit for bit: hadd rounds share the shuffles.
inline Vec8 sum16x8(const Vec16* v) {
  const Vec8 t0 = hadd8(fold16(v[0]), fold16(v[1])), t1 = hadd8(fold16(v[2]), fold16(v[3]));
  const Vec8 t2 = hadd8(fold16(v[4]), fold16(v[5])), t3 = hadd8(fold16(v[6]), fold16(v[7]));
  const Vec8 u0 = hadd8(t0, t1), u1 = hadd8(t2, t3);
  return __builtin_shufflevector(u0, u1, 0, 1, 2, 3, 8, 9, 10, 11) +
         __builtin_shufflevector(u0, u1, 4, 5, 6, 7, 12, 13, 14, 15);
}

// x: 8 rows ld apart -> y: 8 rows n apart, y[i, j] = x[j, i]: three rounds of shuffles in registers
// (interleave pairs, then pairs of pairs, then 128-bit halves), as the classic AVX 8x8 transpose.
// Only the first `present` rows of x are read; the others count as zeros.
inline void transpose8x8(const float* x, int64_t ld, float* y, int64_t n, int present = 8) {
  Vec8 r[8], t[8], u[8];
  for (int i = 0; i < 8; ++i) r[i] = i < present ? load8(x + i * ld) : Vec8{};
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
