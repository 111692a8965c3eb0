#include "tensor/top_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

namespace sprig {

namespace {
void check_keep(int64_t count, int64_t keep, const char* op) {
  SPRIG_CHECK(keep >= 0 && keep <= count, op, ": cannot keep ", keep, " of ", count, " entries");
}
}  // namespace

void mark_largest_abs(const float* v, int64_t* candidates, int64_t count, int64_t keep, float* mask) {
  check_keep(count, keep, "mark_largest_abs");
  const auto larger = [v](int64_t a, int64_t b) {
    const float ma = std::fabs(v[a]), mb = std::fabs(v[b]);
    return ma > mb || (ma == mb && a < b);
  };
  if (keep < count) std::nth_element(candidates, candidates + keep, candidates + count, larger);  // O(count)
  for (int64_t i = 0; i < keep; ++i) mask[candidates[i]] = 1.0f;
}

void mark_largest_abs_reference(const float* v, int64_t* candidates, int64_t count, int64_t keep, float* mask) {
  check_keep(count, keep, "mark_largest_abs_reference");
  std::stable_sort(candidates, candidates + count, [v](int64_t a, int64_t b) {
    return std::fabs(v[a]) > std::fabs(v[b]) || (std::fabs(v[a]) == std::fabs(v[b]) && a < b);
  });
  for (int64_t i = 0; i < keep; ++i) mask[candidates[i]] = 1.0f;
}

namespace {
// |v| as an integer with the same order: a float without its sign bit compares like its bits.
uint32_t magnitude_key(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits & 0x7fffffffu;
}

// keys: [n]. Of the entries whose key >> shift equals `prefix` (all, for shift 32), the 16-bit digit
// (key >> digit_shift) & 0xffff of the keep-th largest; `above` grows by the count above that digit.
uint32_t select_digit(const float* v, int64_t n, int shift, uint32_t prefix, int digit_shift, int64_t keep,
                      int64_t& above) {
  thread_local std::vector<int64_t> scratch;
  scratch.assign(65536, 0);
  int64_t* counts = scratch.data();  // a plain pointer: thread_local lookups stay out of the loop
  if (shift == 32) {
    for (int64_t i = 0; i < n; ++i) ++counts[(magnitude_key(v[i]) >> digit_shift) & 0xffffu];
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const uint32_t key = magnitude_key(v[i]);
      if (key >> shift == prefix) ++counts[(key >> digit_shift) & 0xffffu];
    }
  }
  uint32_t digit = 65535;
  while (above + counts[digit] < keep) above += counts[digit--];  // stops: the counts sum to at least keep
  return digit;
}
}  // namespace

// A radix select instead of mark_largest_abs's nth_element: three sequential passes, no index
// array; edge-popup asks for a mask of every layer at every step (3.6x faster than nth_element on
// 235,200 scores, 2.6x on 1.9M, in a micro-benchmark on a busy 2-core machine, best of 5).
Tensor top_k_abs_mask(const Tensor& values, int64_t keep) {
  const int64_t n = values.numel();
  check_keep(n, keep, "top_k_abs_mask");
  Tensor mask = Tensor::zeros(values.shape());
  if (keep == 0) return mask;
  const float* v = values.data();
  int64_t above = 0;  // entries with a larger key than the threshold
  const uint32_t high = select_digit(v, n, 32, 0, 16, keep, above);
  const uint32_t threshold = high << 16 | select_digit(v, n, 16, high, 0, keep, above);
  int64_t ties = keep - above;  // entries at the threshold to keep, lowest index first
  float* m = mask.data();
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t key = magnitude_key(v[i]);
    if (key > threshold || (key == threshold && ties-- > 0)) m[i] = 1.0f;
  }
  return mask;
}

}  // namespace sprig
