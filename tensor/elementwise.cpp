#include "tensor/elementwise.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor/strided.h"

namespace sprig {

using detail::parallel_ranges;

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  Shape out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i) {  // i counts axes from the last
    const int64_t sa = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t sb = i < b.size() ? b[b.size() - 1 - i] : 1;
    SPRIG_CHECK(sa == sb || sa == 1 || sb == 1, op, ": shapes ", a, " and ", b, " cannot be broadcast together");
    out[out.size() - 1 - i] = sa == 1 ? sb : sa;
  }
  return out;
}

namespace {

// ---- binary ops ----------------------------------------------------------------------------------

// a: [n] (stride sa), b: [n] (stride sb) -> y: [n]. A stride is 1, or 0 for a broadcast value; the
// branches give the compiler three plain loops it can vectorise.
template <typename Op>
void binary_row(const float* a, int64_t sa, const float* b, int64_t sb, float* y, int64_t n, Op op) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) y[i] = op(a[i], b[i]);
  } else if (sa == 0) {
    const float s = a[0];
    for (int64_t i = 0; i < n; ++i) y[i] = op(s, b[i]);
  } else {
    const float s = b[0];
    for (int64_t i = 0; i < n; ++i) y[i] = op(a[i], s);
  }
}

// The one broadcasting driver: same shapes and one-element operands take flat loops; anything else
// walks output rows, each read from the inputs with the last-axis stride (0 or 1).
template <typename Op>
Tensor binary(const Tensor& a, const Tensor& b, const char* name, Op op) {
  Tensor y = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), name));
  const int64_t n = y.numel();
  const float* pa = a.data();
  const float* pb = b.data();
  float* py = y.data();
  if (n == 0) return y;

  if ((a.numel() == n && b.numel() == n) || a.numel() == 1 || b.numel() == 1) {
    const int64_t sa = a.numel() == n ? 1 : 0, sb = b.numel() == n ? 1 : 0;
    parallel_ranges(n, n, [&](int64_t begin, int64_t end) {
      binary_row(pa + sa * begin, sa, pb + sb * begin, sb, py + begin, end - begin, op);
    });
    return y;
  }

  const detail::StridedLoop<2> loop = detail::collapse(detail::StridedLoop<2>{
      y.shape(), {detail::broadcast_strides(a.shape(), y.shape()), detail::broadcast_strides(b.shape(), y.shape())}});
  const int64_t inner = loop.inner();
  const int64_t sa = loop.strides[0].back(), sb = loop.strides[1].back();
  parallel_ranges(loop.rows(), n, [&](int64_t begin, int64_t end) {
    detail::for_each_row(loop, begin, end, [&](int64_t row, const std::array<int64_t, 2>& offsets) {
      binary_row(pa + offsets[0], sa, pb + offsets[1], sb, py + row * inner, inner, op);
    });
  });
  return y;
}

// ---- unary ops -----------------------------------------------------------------------------------

// x: [n] -> y: [n]
template <typename Op>
void unary_row(const float* x, float* y, int64_t n, Op op) {
  for (int64_t i = 0; i < n; ++i) y[i] = op(x[i]);
}

template <typename Op>
Tensor unary(const Tensor& a, Op op) {
  Tensor y = Tensor::empty(a.shape());
  const float* pa = a.data();
  float* py = y.data();
  parallel_ranges(a.numel(), a.numel(),
                  [&](int64_t begin, int64_t end) { unary_row(pa + begin, py + begin, end - begin, op); });
  return y;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary(a, b, "add", [](float x, float y) { return x + y; }); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary(a, b, "sub", [](float x, float y) { return x - y; }); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(a, b, "mul", [](float x, float y) { return x * y; }); }
Tensor div(const Tensor& a, const Tensor& b) { return binary(a, b, "div", [](float x, float y) { return x / y; }); }

Tensor add(const Tensor& a, float s) { return unary(a, [s](float x) { return x + s; }); }
Tensor mul(const Tensor& a, float s) { return unary(a, [s](float x) { return x * s; }); }

Tensor pow(const Tensor& a, float exponent) {
  if (exponent == 2.0f) return unary(a, [](float x) { return x * x; });  // the common case, without libm
  return unary(a, [exponent](float x) { return std::pow(x, exponent); });
}

Tensor neg(const Tensor& a) { return unary(a, [](float x) { return -x; }); }
Tensor exp(const Tensor& a) { return unary(a, [](float x) { return std::exp(x); }); }
Tensor log(const Tensor& a) { return unary(a, [](float x) { return std::log(x); }); }
Tensor relu(const Tensor& a) { return unary(a, [](float x) { return x > 0.0f ? x : 0.0f; }); }
// exp(-x) overflows to inf for very negative x, which still gives the right limit 0.
Tensor sigmoid(const Tensor& a) { return unary(a, [](float x) { return 1.0f / (1.0f + std::exp(-x)); }); }
Tensor tanh(const Tensor& a) { return unary(a, [](float x) { return std::tanh(x); }); }
Tensor abs(const Tensor& a) { return unary(a, [](float x) { return std::abs(x); }); }
Tensor sign(const Tensor& a) { return unary(a, [](float x) { return float(x > 0.0f) - float(x < 0.0f); }); }
Tensor sqrt(const Tensor& a) { return unary(a, [](float x) { return std::sqrt(x); }); }

namespace {
// The activation backwards take no broadcasting: gy and y come from the same op.
template <typename Op>
Tensor activation_backward(const Tensor& gy, const Tensor& y, const char* name, Op op) {
  SPRIG_CHECK(gy.shape() == y.shape(), name, ": gradient ", gy.shape(), " for output ", y.shape());
  return binary(gy, y, name, op);
}
}  // namespace

Tensor relu_backward(const Tensor& gy, const Tensor& y) {
  return activation_backward(gy, y, "relu_backward", [](float g, float v) { return v > 0.0f ? g : 0.0f; });
}
Tensor sigmoid_backward(const Tensor& gy, const Tensor& y) {
  return activation_backward(gy, y, "sigmoid_backward", [](float g, float v) { return g * v * (1.0f - v); });
}
Tensor tanh_backward(const Tensor& gy, const Tensor& y) {
  return activation_backward(gy, y, "tanh_backward", [](float g, float v) { return g * (1.0f - v * v); });
}

// dst: [n] += alpha * src: [n]
void axpy_(Tensor& dst, float alpha, const Tensor& src) {
  SPRIG_CHECK(dst.numel() == src.numel(), "axpy_: destination ", dst.shape(), " and source ", src.shape(),
              " differ in size");
  float* d = dst.data();
  const float* s = src.data();
  parallel_ranges(dst.numel(), dst.numel(), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) d[i] += alpha * s[i];
  });
}

// dst: [n] *= s
void scale_(Tensor& dst, float s) {
  float* d = dst.data();
  parallel_ranges(dst.numel(), dst.numel(), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) d[i] *= s;
  });
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
  SPRIG_CHECK(a.shape() == b.shape(), "max_abs_diff: shapes ", a.shape(), " and ", b.shape(), " differ");
  const float* pa = a.data();
  const float* pb = b.data();
  float worst = 0.0f;
  for (int64_t i = 0; i < a.numel(); ++i) {
    if (pa[i] == pb[i]) continue;  // also equal infinities
    const float d = std::abs(pa[i] - pb[i]);
    if (std::isnan(d)) return std::numeric_limits<float>::quiet_NaN();  // a NaN must not hide
    worst = std::max(worst, d);
  }
  return worst;
}

}  // namespace sprig
