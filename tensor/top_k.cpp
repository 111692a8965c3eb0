#include "tensor/top_k.h"

#include <algorithm>
#include <cmath>
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

Tensor top_k_abs_mask(const Tensor& values, int64_t keep) {
  // A training step asks for the same sizes every time: reuse the index buffer.
  thread_local std::vector<int64_t> order;
  order.resize(size_t(values.numel()));
  std::iota(order.begin(), order.end(), int64_t{0});
  Tensor mask = Tensor::zeros(values.shape());
  mark_largest_abs(values.data(), order.data(), values.numel(), keep, mask.data());
  return mask;
}

}  // namespace sprig
