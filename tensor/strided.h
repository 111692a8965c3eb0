#pragma once
// Internal to tensor/: the loop machinery shared by broadcasting (elementwise.cpp) and permute
// (layout.cpp). Both write a contiguous output while reading inputs through per-axis strides, so
// both reduce to "rows of a contiguous output, each row read with a constant input stride". Also
// the one rule for when a loop of tensor/ splits across threads (parallel_ranges, on_one_thread).
#include <omp.h>

#include <array>
#include <cstdint>
#include <vector>

namespace sprig::detail {

// Whether a parallel region here would run on one thread: inside another one, or with one thread
// set. Opening it anyway still costs about 0.4 us, so callers then run their loop directly.
inline bool on_one_thread() { return omp_in_parallel() || omp_get_max_threads() == 1; }

// Below this many elements, starting threads costs more than it saves. Low, because an operand
// is mostly the output of a parallel op with half of it in the other core's cache, and one thread
// would pull that half across and then push its result back (a LeNet-300-100 training step on 2
// threads, whose sparse layers hand each thread its half of the batch: 32768 -> 4096, 185 -> 174 us).
constexpr int64_t kParallelThreshold = 4096;

// Calls fn(part, parts) on each thread, part < parts, for the caller to cut its work by; or
// fn(0, 1) alone when `work` (elements touched) is at most `threshold`, or when there is only one
// thread to run on.
template <typename Fn>
void parallel_parts(int64_t work, Fn&& fn, int64_t threshold = kParallelThreshold) {
  if (work <= threshold || on_one_thread()) return fn(int64_t(0), int64_t(1));
#pragma omp parallel
  fn(int64_t(omp_get_thread_num()), int64_t(omp_get_num_threads()));
}

// Splits [0, count) into one contiguous range per thread (the same split on every run) and calls
// fn(begin, end) for each, as parallel_parts decides.
template <typename Fn>
void parallel_ranges(int64_t count, int64_t work, Fn&& fn, int64_t threshold = kParallelThreshold) {
  if (count < 2) {
    if (count > 0) fn(int64_t(0), count);
    return;
  }
  parallel_parts(
      work,
      [&](int64_t part, int64_t parts) {
        const int64_t begin = count * part / parts, end = count * (part + 1) / parts;
        if (begin < end) fn(begin, end);
      },
      threshold);
}

// A loop nest over a contiguous output of shape `sizes`, reading K inputs with strides[k][axis]
// (0 on axes an input is broadcast along).
template <size_t K>
struct StridedLoop {
  std::vector<int64_t> sizes;
  std::array<std::vector<int64_t>, K> strides;

  int64_t inner() const { return sizes.back(); }
  int64_t rows() const {
    int64_t n = 1;
    for (size_t axis = 0; axis + 1 < sizes.size(); ++axis) n *= sizes[axis];
    return n;
  }
};

// Drops size-1 axes and merges neighbours that every input walks as one axis, so [N, C, H, W] *
// [1, C, 1, 1] becomes [N, C, H*W] with a long inner row. Leaves at least one axis.
template <size_t K>
StridedLoop<K> collapse(const StridedLoop<K>& loop) {
  StridedLoop<K> out;
  for (size_t axis = 0; axis < loop.sizes.size(); ++axis) {
    if (loop.sizes[axis] == 1) continue;
    bool merge = !out.sizes.empty();
    for (size_t k = 0; k < K && merge; ++k)
      merge = out.strides[k].back() == loop.strides[k][axis] * loop.sizes[axis];
    if (merge) {
      out.sizes.back() *= loop.sizes[axis];
      for (size_t k = 0; k < K; ++k) out.strides[k].back() = loop.strides[k][axis];
    } else {
      out.sizes.push_back(loop.sizes[axis]);
      for (size_t k = 0; k < K; ++k) out.strides[k].push_back(loop.strides[k][axis]);
    }
  }
  if (out.sizes.empty()) {
    out.sizes.push_back(1);
    for (size_t k = 0; k < K; ++k) out.strides[k].push_back(1);
  }
  return out;
}

// Calls row(r, offsets) for output rows r in [begin, end) (a row spans the last axis), where
// offsets[k] is where input k's row starts. Offsets are computed once, then advanced like an odometer.
template <size_t K, typename Row>
void for_each_row(const StridedLoop<K>& loop, int64_t begin, int64_t end, Row&& row) {
  const int64_t outer_axes = static_cast<int64_t>(loop.sizes.size()) - 1;
  std::vector<int64_t> index(outer_axes);
  std::array<int64_t, K> offsets{};
  for (int64_t axis = outer_axes - 1, rest = begin; axis >= 0; --axis) {
    index[axis] = rest % loop.sizes[axis];
    rest /= loop.sizes[axis];
    for (size_t k = 0; k < K; ++k) offsets[k] += index[axis] * loop.strides[k][axis];
  }
  for (int64_t r = begin; r < end; ++r) {
    row(r, offsets);
    for (int64_t axis = outer_axes - 1; axis >= 0; --axis) {
      for (size_t k = 0; k < K; ++k) offsets[k] += loop.strides[k][axis];
      if (++index[axis] < loop.sizes[axis]) break;
      for (size_t k = 0; k < K; ++k) offsets[k] -= loop.sizes[axis] * loop.strides[k][axis];
      index[axis] = 0;
    }
  }
}

// Row-major strides of a contiguous tensor of shape `sizes`.
inline std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& sizes) {
  std::vector<int64_t> strides(sizes.size());
  int64_t stride = 1;
  for (size_t axis = sizes.size(); axis-- > 0;) {
    strides[axis] = stride;
    stride *= sizes[axis];
  }
  return strides;
}

// Strides of a contiguous `in` read on the axes of the broadcast shape `out`: 0 on axes where `in`
// is stretched, including the leading axes it lacks.
inline std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& in, const std::vector<int64_t>& out) {
  std::vector<int64_t> strides(out.size(), 0);
  const size_t lead = out.size() - in.size();
  const std::vector<int64_t> own = contiguous_strides(in);
  for (size_t axis = 0; axis < in.size(); ++axis)
    if (in[axis] == out[axis + lead]) strides[axis + lead] = own[axis];
  return strides;
}

}  // namespace sprig::detail
