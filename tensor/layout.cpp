#include "tensor/layout.h"

#include <algorithm>
#include <numeric>

#include "tensor/elementwise.h"
#include "tensor/simd.h"
#include "tensor/strided.h"

namespace sprig {

namespace {

using detail::parallel_ranges;

constexpr int64_t kTile = 32;  // 32 x 32 floats: a tile of source and one of destination fit in L1

// One tile: y[i, j] = x[j, i] for i < rows, j < cols, with x's rows ld apart and y's rows n apart;
// 8x8 blocks in registers, plain loops for the ragged edges. With zeros_past_cols, y's columns from
// cols up to the next multiple of 8 may be (and are) written with zeros, so a ragged end of up to
// 7 columns takes one more 8x8 block (a sparse Linear's block of 30 examples padded to 32).
inline void transpose_tile(const float* x, int64_t ld, float* y, int64_t n, int64_t rows, int64_t cols,
                           bool zeros_past_cols) {
  int64_t i = 0;
  for (; i + 8 <= rows; i += 8) {
    int64_t j = 0;
    for (; j + 8 <= cols; j += 8) simd::transpose8x8(x + j * ld + i, ld, y + i * n + j, n);
    if (zeros_past_cols && j < cols) {
      simd::transpose8x8(x + j * ld + i, ld, y + i * n + j, n, int(cols - j));
      j = cols;
    }
    for (; j < cols; ++j)
      for (int64_t r = i; r < i + 8; ++r) y[r * n + j] = x[j * ld + r];
  }
  for (; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) y[i * n + j] = x[j * ld + i];
}

// x: [n, m] with row stride ld -> rows [i0, i1) of y: [m, n] with row stride ldy, y[i, j] = x[j, i];
// zero_padding also sets their columns [n, ldy) to 0. Tiled so that both the strided reads and the
// contiguous writes stay in cache.
void transpose_rows(const float* x, int64_t ld, float* y, int64_t n, int64_t ldy, int64_t i0, int64_t i1,
                    bool zero_padding) {
  const bool zeros_past_n = zero_padding && ldy >= (n + 7) / 8 * 8;
  for (int64_t ib = i0; ib < i1; ib += kTile)
    for (int64_t jb = 0; jb < n; jb += kTile) {
      const float* src = x + jb * ld + ib;
      float* dst = y + ib * ldy + jb;
      const int64_t rows = std::min(kTile, i1 - ib), cols = std::min(kTile, n - jb);
      transpose_tile(src, ld, dst, ldy, rows, cols, zeros_past_n);
    }
  for (int64_t i = i0; i < i1 && zero_padding; ++i) std::fill(y + i * ldy + n, y + (i + 1) * ldy, 0.0f);
}

// x read through loop.strides[0] (0 where stretched) -> y contiguous of shape loop.sizes.
void strided_copy(const float* x, float* y, const detail::StridedLoop<1>& loop) {
  const int64_t numel = loop.rows() * loop.inner();
  const int64_t r = static_cast<int64_t>(loop.sizes.size());
  const std::vector<int64_t>& st = loop.strides[0];

  if (r >= 2 && st[r - 2] == 1 && st[r - 1] != 0) {  // batches of transposed matrices: tile them
    const int64_t m = loop.sizes[r - 2], n = loop.sizes[r - 1], ld = st[r - 1];
    detail::StridedLoop<1> batches = loop;  // its rows are the matrices: one per index of the other axes
    batches.sizes.pop_back();
    batches.strides[0].pop_back();
    const int64_t count = batches.rows();
    if (count == 1) {  // one matrix: threads split its output rows
      parallel_ranges(m, numel, [&](int64_t begin, int64_t end) { transpose_rows(x, ld, y, n, n, begin, end, false); });
      return;
    }
    parallel_ranges(count, numel, [&](int64_t begin, int64_t end) {
      detail::for_each_row(batches, begin, end, [&](int64_t b, const std::array<int64_t, 1>& offset) {
        transpose_rows(x + offset[0], ld, y + b * m * n, n, n, 0, m, false);
      });
    });
    return;
  }

  const int64_t inner = loop.inner(), stride = st.back();
  parallel_ranges(loop.rows(), numel, [&](int64_t begin, int64_t end) {
    detail::for_each_row(loop, begin, end, [&](int64_t row, const std::array<int64_t, 1>& offset) {
      const float* src = x + offset[0];
      float* dst = y + row * inner;
      if (stride == 1) {
        std::copy(src, src + inner, dst);
      } else if (stride == 0) {  // broadcast_to: one value stretched along the row
        std::fill(dst, dst + inner, *src);
      } else {
        for (int64_t j = 0; j < inner; ++j) dst[j] = src[j * stride];
      }
    });
  });
}

}  // namespace

Tensor permute(const Tensor& a, const std::vector<int64_t>& order) {
  const int64_t rank = a.dim();
  SPRIG_CHECK(static_cast<int64_t>(order.size()) == rank, "permute: order has ", order.size(),
              " axes for a tensor of shape ", a.shape());
  std::vector<int64_t> axes(rank);
  std::vector<bool> used(rank, false);
  for (int64_t i = 0; i < rank; ++i) {
    axes[i] = normalize_axis(order[i], rank, "permute");
    SPRIG_CHECK(!used[axes[i]], "permute: axis ", order[i], " appears twice in the order for shape ", a.shape());
    used[axes[i]] = true;
  }

  const std::vector<int64_t> in_strides = detail::contiguous_strides(a.shape());
  detail::StridedLoop<1> loop;
  Shape shape;
  for (int64_t axis : axes) {
    shape.push_back(a.shape()[axis]);
    loop.strides[0].push_back(in_strides[axis]);
  }
  loop.sizes = shape;
  Tensor y = Tensor::empty(shape);
  if (y.numel() > 0) strided_copy(a.data(), y.data(), detail::collapse(loop));
  return y;
}

// x: [rows, cols] (rows ldx apart) -> y: [cols, rows] (rows ldy apart)
void transpose_into(const float* x, int64_t rows, int64_t cols, int64_t ldx, float* y, int64_t ldy, bool zero_padding) {
  SPRIG_CHECK(rows >= 0 && cols >= 0 && ldx >= cols && ldy >= rows, "transpose_into: [", rows, ", ", cols,
              "] with ldx=", ldx, " and ldy=", ldy, " (ldx must be at least ", cols, ", ldy at least ", rows, ")");
  // Transposing costs a few times a streaming pass per element, so a second thread pays from
  // smaller sizes (a sparse Linear's [60, 300] activations: 3.2 -> 2.4 us).
  constexpr int64_t kParallelTransposeAbove = 1 << 13;
  parallel_ranges(
      cols, rows * cols,
      [&](int64_t begin, int64_t end) { transpose_rows(x, ldx, y, rows, ldy, begin, end, zero_padding); },
      kParallelTransposeAbove);
}

Tensor transpose(const Tensor& a, int64_t axis0, int64_t axis1) {
  std::vector<int64_t> order(a.dim());
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[normalize_axis(axis0, a.dim(), "transpose")], order[normalize_axis(axis1, a.dim(), "transpose")]);
  return permute(a, order);
}

Tensor broadcast_to(const Tensor& a, const Shape& shape) {
  SPRIG_CHECK(broadcast_shapes(a.shape(), shape, "broadcast_to") == shape, "broadcast_to: ", a.shape(),
              " cannot be stretched to ", shape);
  Tensor y = Tensor::empty(shape);
  if (y.numel() > 0)
    strided_copy(a.data(), y.data(), detail::collapse(detail::StridedLoop<1>{shape, {detail::broadcast_strides(a.shape(), shape)}}));
  return y;
}

Tensor concat(const std::vector<Tensor>& parts) {
  SPRIG_CHECK(!parts.empty(), "concat: no tensors to concatenate");
  const Shape& first = parts[0].shape();
  SPRIG_CHECK(!first.empty(), "concat: needs rank >= 1 to join along the first axis, got shape ", first);
  Shape shape = first;
  shape[0] = 0;
  for (const Tensor& part : parts) {
    const Shape& s = part.shape();
    SPRIG_CHECK(s.size() == first.size() && std::equal(s.begin() + 1, s.end(), first.begin() + 1),
                "concat: shape ", s, " does not match ", first, " beyond the first axis");
    shape[0] += s[0];
  }
  Tensor y = Tensor::empty(shape);
  float* out = y.data();
  for (const Tensor& part : parts) out = std::copy(part.data(), part.data() + part.numel(), out);
  return y;
}

Tensor one_hot(const std::vector<int32_t>& labels, int64_t classes) {
  SPRIG_CHECK(classes >= 0, "one_hot: negative number of classes ", classes);
  const int64_t n = static_cast<int64_t>(labels.size());
  Tensor y = Tensor::zeros({n, classes});
  for (int64_t i = 0; i < n; ++i) {
    SPRIG_CHECK(labels[i] >= 0 && labels[i] < classes, "one_hot: label at index ", i, " is ", labels[i],
                ", outside [0, ", classes, ")");
    y.data()[i * classes + labels[i]] = 1.0f;
  }
  return y;
}

}  // namespace sprig
