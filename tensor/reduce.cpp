#include "tensor/reduce.h"

#include <algorithm>

#include "tensor/strided.h"

namespace sprig {

namespace {

using detail::parallel_ranges;

// Whole-tensor sums add fixed blocks in double and then the block sums in order: the result does
// not even depend on the thread count.
constexpr int64_t kSumBlock = 8192;
// Per-axis sums with an inner extent work on column blocks this wide, so threads can share columns.
constexpr int64_t kColumnBlock = 1024;

// x: [n] -> sum in double
double sum_block(const float* x, int64_t n) {
  double total = 0.0;
#pragma omp simd reduction(+ : total)
  for (int64_t i = 0; i < n; ++i) total += x[i];
  return total;
}

// x: [n] -> sum in double, in fixed blocks
double sum_all(const float* x, int64_t n) {
  if (n <= kSumBlock) return sum_block(x, n);  // one block: skip the bookkeeping
  const int64_t blocks = (n + kSumBlock - 1) / kSumBlock;
  std::vector<double> partial(blocks);
  parallel_ranges(blocks, n, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) partial[k] = sum_block(x + k * kSumBlock, std::min(kSumBlock, n - k * kSumBlock));
  });
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

// x: [outer, n, inner] -> y: [outer, inner], y[o, i] = sum_k x[o, k, i]
void sum_axis_kernel(const float* x, float* y, int64_t outer, int64_t n, int64_t inner) {
  if (inner == 1) {  // contiguous rows; a single long row still gets threads from sum_all
    parallel_ranges(outer, outer * n, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) y[o] = static_cast<float>(sum_all(x + o * n, n));
    });
    return;
  }
  // Each (o, column block) task adds rows of its block in k order: vectorised over i, deterministic.
  const int64_t column_blocks = (inner + kColumnBlock - 1) / kColumnBlock;
  parallel_ranges(outer * column_blocks, outer * n * inner, [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      const int64_t o = task / column_blocks, i0 = (task % column_blocks) * kColumnBlock;
      const int64_t width = std::min(kColumnBlock, inner - i0);
      float* out = y + o * inner + i0;
      std::fill(out, out + width, 0.0f);
      for (int64_t k = 0; k < n; ++k) {
        const float* row = x + (o * n + k) * inner + i0;
        for (int64_t i = 0; i < width; ++i) out[i] += row[i];
      }
    }
  });
}

// x: [n] -> flat index of the first maximum (n > 0)
int64_t argmax_block(const float* x, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return best;
}

// x: [outer, n, inner] -> values, indices: [outer, inner], the first maximum along n (n > 0)
void max_axis_kernel(const float* x, float* values, int64_t* indices, int64_t outer, int64_t n, int64_t inner) {
  parallel_ranges(outer, outer * n * inner, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      const float* slab = x + o * n * inner;
      float* best = values + o * inner;
      int64_t* where = indices + o * inner;
      if (inner == 1) {
        *where = argmax_block(slab, n);
        *best = slab[*where];
        continue;
      }
      std::copy(slab, slab + inner, best);
      std::fill(where, where + inner, 0);
      for (int64_t k = 1; k < n; ++k) {
        const float* row = slab + k * inner;
        for (int64_t i = 0; i < inner; ++i) {
          const bool larger = row[i] > best[i];
          best[i] = larger ? row[i] : best[i];
          where[i] = larger ? k : where[i];
        }
      }
    }
  });
}

// The [outer, n, inner] view of `a` around `axis`.
struct AxisView {
  int64_t outer = 1, n = 1, inner = 1;
  Shape result;  // shape of the reduced tensor
};

AxisView axis_view(const Tensor& a, int64_t axis, bool keepdim, const char* op) {
  axis = normalize_axis(axis, a.dim(), op);
  AxisView v;
  for (int64_t d = 0; d < a.dim(); ++d) {
    if (d < axis) v.outer *= a.shape()[d];
    if (d > axis) v.inner *= a.shape()[d];
    if (d != axis) v.result.push_back(a.shape()[d]);
    else if (keepdim) v.result.push_back(1);
  }
  v.n = a.shape()[axis];
  return v;
}

}  // namespace

Tensor sum(const Tensor& a) { return Tensor::scalar(static_cast<float>(sum_all(a.data(), a.numel()))); }

Tensor sum(const Tensor& a, int64_t axis, bool keepdim) {
  const AxisView v = axis_view(a, axis, keepdim, "sum");
  Tensor y = Tensor::empty(v.result);
  sum_axis_kernel(a.data(), y.data(), v.outer, v.n, v.inner);
  return y;
}

// An empty tensor's mean is 0/0 = NaN, as in NumPy.
Tensor mean(const Tensor& a) {
  return Tensor::scalar(static_cast<float>(sum_all(a.data(), a.numel()) / double(a.numel())));
}

Tensor mean(const Tensor& a, int64_t axis, bool keepdim) {
  Tensor y = sum(a, axis, keepdim);
  const int64_t n = a.size(axis);
  float* p = y.data();
  for (int64_t i = 0; i < y.numel(); ++i) p[i] /= static_cast<float>(n);
  return y;
}

Tensor max(const Tensor& a) { return Tensor::scalar(a.data()[argmax(a)]); }

Tensor max(const Tensor& a, int64_t axis, bool keepdim) {
  const AxisView v = axis_view(a, axis, keepdim, "max");
  SPRIG_CHECK(v.n > 0, "max: axis ", axis, " of shape ", a.shape(), " is empty");
  Tensor y = Tensor::empty(v.result);
  std::vector<int64_t> indices(y.numel());
  max_axis_kernel(a.data(), y.data(), indices.data(), v.outer, v.n, v.inner);
  return y;
}

int64_t argmax(const Tensor& a) {
  SPRIG_CHECK(a.numel() > 0, "argmax: empty tensor of shape ", a.shape());
  const float* x = a.data();
  const int64_t n = a.numel();
  const int64_t blocks = (n + kSumBlock - 1) / kSumBlock;
  std::vector<int64_t> best(blocks);
  parallel_ranges(blocks, n, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k)
      best[k] = k * kSumBlock + argmax_block(x + k * kSumBlock, std::min(kSumBlock, n - k * kSumBlock));
  });
  int64_t winner = best[0];
  for (int64_t candidate : best)
    if (x[candidate] > x[winner]) winner = candidate;  // strict: earlier blocks win ties
  return winner;
}

std::vector<int64_t> argmax(const Tensor& a, int64_t axis) {
  const AxisView v = axis_view(a, axis, false, "argmax");
  SPRIG_CHECK(v.n > 0, "argmax: axis ", axis, " of shape ", a.shape(), " is empty");
  std::vector<float> values(v.outer * v.inner);
  std::vector<int64_t> indices(v.outer * v.inner);
  max_axis_kernel(a.data(), values.data(), indices.data(), v.outer, v.n, v.inner);
  return indices;
}

Tensor sum_to(const Tensor& a, const Shape& shape) {
  const Shape& from = a.shape();
  const int64_t lead = a.dim() - static_cast<int64_t>(shape.size());
  bool compatible = lead >= 0;
  for (size_t d = 0; compatible && d < shape.size(); ++d)
    compatible = shape[d] == from[d + lead] || shape[d] == 1;
  SPRIG_CHECK(compatible, "sum_to: ", from, " cannot be summed down to ", shape,
              " (it is not a broadcast of that shape)");

  // Merge neighbouring axes into runs that are all summed or all kept; then sum each summed run as
  // one axis, last run first so the biggest pass reads contiguous rows.
  Shape runs;
  std::vector<bool> summed;
  for (int64_t d = 0; d < a.dim(); ++d) {
    if (from[d] == 1) continue;
    const bool reduce = d < lead || shape[d - lead] == 1;
    if (!runs.empty() && summed.back() == reduce) {
      runs.back() *= from[d];
    } else {
      runs.push_back(from[d]);
      summed.push_back(reduce);
    }
  }
  Tensor y = a.reshape(runs);
  for (size_t r = runs.size(); r-- > 0;)
    if (summed[r]) y = sum(y, static_cast<int64_t>(r), true);
  return y.reshape(shape);  // shares a's storage when nothing was summed
}

}  // namespace sprig
