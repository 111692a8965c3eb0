#include "tensor/conv.h"

#include <omp.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "tensor/gemm.h"

namespace sprig {

void Conv2dGeometry::check(const char* op) const {
  const Shape input{batch, in_channels, height, width}, weight{out_channels, in_channels, kernel_h, kernel_w};
  SPRIG_CHECK(batch > 0 && in_channels > 0 && height > 0 && width > 0 && out_channels > 0 && kernel_h > 0 &&
                  kernel_w > 0,
              op, ": sizes must be positive, got input ", input, " and weight ", weight);
  constexpr int64_t limit = std::numeric_limits<int32_t>::max();
  SPRIG_CHECK(stride >= 1 && stride <= limit, op, ": stride must be at least 1, got ", stride, " (input ", input,
              ", weight ", weight, ")");
  SPRIG_CHECK(padding >= 0 && padding <= limit, op, ": padding must be non-negative, got ", padding, " (input ",
              input, ", weight ", weight, ")");
  SPRIG_CHECK(kernel_h <= height + 2 * padding && kernel_w <= width + 2 * padding, op, ": kernel ", kernel_h, "x",
              kernel_w, " of weight ", weight, " does not fit input ", input, " padded by ", padding, " (",
              height + 2 * padding, "x", width + 2 * padding, ")");
}

namespace {

// Output positions o in [begin, end) read input index o * stride + offset inside [0, size); the
// others read padding.
struct Span {
  int64_t begin, end;
};

Span inside(int64_t out, int64_t size, int64_t stride, int64_t offset) {
  const int64_t begin = std::min(out, offset >= 0 ? 0 : (-offset + stride - 1) / stride);
  const int64_t end = std::min(out, offset >= size ? 0 : (size - 1 - offset) / stride + 1);
  return {begin, std::max(begin, end)};
}

// Walks one image's column matrix [C*kh*kw, OH*OW] (rows ld apart) one output row at a time:
// visit(col, src, span): col is where that output row starts in the column matrix, src the index in
// x [C, H, W] read by output column 0 (it may lie outside x; only columns in span are inside).
template <typename Visit>
void for_each_column_row(const Conv2dGeometry& g, int64_t ld, Visit&& visit) {
  const int64_t oh = g.out_h(), ow = g.out_w();
  for (int64_t c = 0; c < g.in_channels; ++c)
    for (int64_t ki = 0; ki < g.kernel_h; ++ki)
      for (int64_t kj = 0; kj < g.kernel_w; ++kj) {
        const int64_t row = (c * g.kernel_h + ki) * g.kernel_w + kj;
        const Span rows = inside(oh, g.height, g.stride, ki - g.padding);
        const Span cols = inside(ow, g.width, g.stride, kj - g.padding);
        for (int64_t oy = 0; oy < oh; ++oy) {
          const int64_t iy = oy * g.stride + ki - g.padding;
          const bool row_inside = oy >= rows.begin && oy < rows.end;
          visit(row * ld + oy * ow, (c * g.height + iy) * g.width + kj - g.padding, row_inside ? cols : Span{0, 0});
        }
      }
}

void im2col_ld(const Conv2dGeometry& g, const float* x, float* cols, int64_t ld) {
  const int64_t ow = g.out_w(), s = g.stride;
  for_each_column_row(g, ld, [&](int64_t col, int64_t src, Span span) {
    float* out = cols + col;
    std::fill(out, out + span.begin, 0.0f);
    if (s == 1)
      for (int64_t o = span.begin; o < span.end; ++o) out[o] = x[src + o];
    else
      for (int64_t o = span.begin; o < span.end; ++o) out[o] = x[src + o * s];
    std::fill(out + span.end, out + ow, 0.0f);
  });
}

void col2im_ld(const Conv2dGeometry& g, const float* cols, int64_t ld, float* x) {
  const int64_t s = g.stride;
  for_each_column_row(g, ld, [&](int64_t col, int64_t src, Span span) {
    const float* in = cols + col;
    if (s == 1)
      for (int64_t o = span.begin; o < span.end; ++o) x[src + o] += in[o];
    else
      for (int64_t o = span.begin; o < span.end; ++o) x[src + o * s] += in[o];
  });
}

}  // namespace

void im2col(const Conv2dGeometry& g, const float* x, float* cols) { im2col_ld(g, x, cols, g.out_h() * g.out_w()); }
void col2im(const Conv2dGeometry& g, const float* cols, float* x) { col2im_ld(g, cols, g.out_h() * g.out_w(), x); }
void im2col(const Conv2dGeometry& g, const float* x, float* cols, int64_t ld) { im2col_ld(g, x, cols, ld); }
void col2im(const Conv2dGeometry& g, const float* cols, int64_t ld, float* x) { col2im_ld(g, cols, ld, x); }

namespace {

// Batching, measured on 2 cores (AVX-512, OpenBLAS 0.3.21 OpenMP flavour), forward + backward:
// - per image: images spread over threads, one single-threaded GEMM each. Faster by 1.1-2x when an
//   image has >= 64 output pixels (ResNet-20's 32/16/8 px layers at batch 128: 1.9x, 2.0x, 1.5x;
//   VGG-16's 32/16/8 px layers at batch 64: 1.4x, 1.3x, 1.1x): its columns stay in cache and y
//   needs no reordering.
// - whole batch: one column matrix [K, N*P] and one GEMM that OpenBLAS threads. Faster at VGG-16's
//   4x4 and 2x2 layers, where a per-image GEMM has only 16 or 4 columns (1.3x and 3.7x), and the
//   only way to use every core when the batch is smaller than the thread count.
constexpr int64_t kMinImageColumns = 64;

bool worth_threads(const Conv2dGeometry& g) {
  return omp_get_max_threads() > 1 && g.batch * g.out_channels * g.patch() * g.out_h() * g.out_w() > (1 << 20);
}

// Threads to spread single images over, or 1 for one whole-batch GEMM.
int64_t image_threads(const Conv2dGeometry& g) {
  const int64_t threads = omp_get_max_threads();
  const bool split = worth_threads(g) && g.out_h() * g.out_w() >= kMinImageColumns && g.batch >= threads;
  return split ? threads : 1;
}

// 1x1, stride 1, no padding: an image [C, H*W] already is its column matrix.
bool is_pointwise(const Conv2dGeometry& g) {
  return g.kernel_h == 1 && g.kernel_w == 1 && g.stride == 1 && g.padding == 0;
}

// n floats rounded up to whole 64-byte cache lines, so threads' workspaces never share one.
int64_t cache_lines(int64_t n) { return (n + 15) / 16 * 16; }

// One GEMM's images, [n0, n0 + count), side by side: image i owns columns [i*P, (i+1)*P) of every
// matrix. A single image works in place where it can.
struct Chunk {
  const Conv2dGeometry& g;
  int64_t n0, count;
  bool fork;  // loops over the images may fork threads; never inside a parallel region (nested teams are slow)

  int64_t P() const { return g.out_h() * g.out_w(); }
  int64_t columns() const { return count * P(); }
  int64_t image_size() const { return g.in_channels * g.height * g.width; }
  bool pointwise_image() const { return count == 1 && is_pointwise(g); }

  // Scratch: the column matrix [K, columns], then for several images the outputs [Cout, columns].
  static int64_t workspace_size(const Conv2dGeometry& g, int64_t count) {
    const int64_t columns = count * g.out_h() * g.out_w();
    return cache_lines(g.patch() * columns) + cache_lines(count > 1 ? g.out_channels * columns : 0);
  }
  float* outputs(float* workspace) const { return workspace + cache_lines(g.patch() * columns()); }

  // x: [N, C, H, W] -> [K, columns]: x's own memory for one pointwise image, else built in cols.
  const float* columns_of(const float* x, float* cols) const {
    if (pointwise_image()) return x + n0 * image_size();
#pragma omp parallel for schedule(static) if (fork)
    for (int64_t i = 0; i < count; ++i) im2col_ld(g, x + (n0 + i) * image_size(), cols + i * P(), columns());
    return cols;
  }
  // [K, columns] -> dx: [N, C, H, W] (overwritten)
  void columns_to_images(const float* cols, float* dx) const {
#pragma omp parallel for schedule(static) if (fork)
    for (int64_t i = 0; i < count; ++i) {
      float* image = dx + (n0 + i) * image_size();
      std::fill(image, image + image_size(), 0.0f);
      col2im_ld(g, cols + i * P(), columns(), image);
    }
  }
  // t: [N, Cout, P] <-> m: [Cout, columns], one P-float block at a time.
  void gather(const float* t, float* m) const {
    for_each_block([&](int64_t ti, int64_t mi) { std::copy(t + ti, t + ti + P(), m + mi); });
  }
  void scatter(const float* m, float* t) const {
    for_each_block([&](int64_t ti, int64_t mi) { std::copy(m + mi, m + mi + P(), t + ti); });
  }
  template <typename Copy>
  void for_each_block(Copy&& copy) const {
#pragma omp parallel for schedule(static) if (fork)
    for (int64_t i = 0; i < count; ++i)
      for (int64_t co = 0; co < g.out_channels; ++co)
        copy(((n0 + i) * g.out_channels + co) * P(), co * columns() + i * P());
  }
};

// The chunk's images of y = w * columns + bias.
void forward_chunk(const Chunk& chunk, const float* x, const float* w, const float* bias, float* y,
                   float* workspace) {
  const int64_t K = chunk.g.patch(), Cout = chunk.g.out_channels, NP = chunk.columns();
  float* result = chunk.count == 1 ? y + chunk.n0 * Cout * chunk.P() : chunk.outputs(workspace);  // one image: into y
  if (bias)
    for (int64_t co = 0; co < Cout; ++co) std::fill(result + co * NP, result + (co + 1) * NP, bias[co]);
  gemm(false, false, Cout, NP, K, 1.0f, w, K, chunk.columns_of(x, workspace), NP, bias ? 1.0f : 0.0f, result, NP);
  if (chunk.count > 1) chunk.scatter(result, y);
}

// The chunk's images of dx (if dx) and their weight gradient, transposed: dwt [K, Cout] =
// dwt_beta * dwt + columns * dy^T.
void backward_chunk(const Chunk& chunk, const float* x, const float* w, const float* dy, float* dx, float* dwt,
                    float dwt_beta, float* workspace) {
  const int64_t K = chunk.g.patch(), Cout = chunk.g.out_channels, NP = chunk.columns();
  const float* grads = dy + chunk.n0 * Cout * chunk.P();
  if (chunk.count > 1) {
    float* packed = chunk.outputs(workspace);
    chunk.gather(dy, packed);
    grads = packed;
  }
  gemm(false, true, K, Cout, NP, 1.0f, chunk.columns_of(x, workspace), NP, grads, NP, dwt_beta, dwt, Cout);
  if (!dx) return;
  // dcols = w^T dy; a pointwise image's dcols is its dx.
  if (chunk.pointwise_image()) {
    gemm(true, false, K, NP, Cout, 1.0f, w, K, grads, NP, 0.0f, dx + chunk.n0 * chunk.image_size(), NP);
    return;
  }
  gemm(true, false, K, NP, Cout, 1.0f, w, K, grads, NP, 0.0f, workspace, NP);
  chunk.columns_to_images(workspace, dx);
}

// Sum of v[0, n) in 16 independent lanes so it vectorises; fixed order, so deterministic.
float sum_lanes(const float* v, int64_t n) {
  constexpr int64_t lanes = 16;
  float acc[lanes] = {};
  int64_t i = 0;
  for (; i + lanes <= n; i += lanes)
    for (int64_t j = 0; j < lanes; ++j) acc[j] += v[i + j];
  for (; i < n; ++i) acc[0] += v[i];
  float total = 0.0f;
  for (float a : acc) total += a;
  return total;
}

// parts: [count, >= rows*cols], each a [rows, cols] matrix -> out: [cols, rows] = parts[0]^T + parts[1]^T + ...,
// added in that order. Tiles keep the transposed reads in cache.
void sum_transposed(const Tensor& parts, int64_t rows, int64_t cols, float* out) {
  constexpr int64_t tile = 32;
  const float* p = parts.data();
  const int64_t count = parts.size(0), stride = parts.size(1);
#pragma omp parallel for schedule(static) if (count * rows * cols > (int64_t{1} << 16))
  for (int64_t c0 = 0; c0 < cols; c0 += tile)
    for (int64_t r0 = 0; r0 < rows; r0 += tile)
      for (int64_t c = c0; c < std::min(c0 + tile, cols); ++c)
        for (int64_t r = r0; r < std::min(r0 + tile, rows); ++r) {
          float total = p[r * cols + c];
          for (int64_t t = 1; t < count; ++t) total += p[t * stride + r * cols + c];
          out[c * rows + r] = total;
        }
}

}  // namespace

// dy: [N, Cout, P] -> dbias: [Cout]
void conv2d_bias_gradient(const Conv2dGeometry& g, const float* dy, float* dbias) {
  const int64_t P = g.out_h() * g.out_w();
#pragma omp parallel for schedule(static) if (g.batch * g.out_channels * P > (int64_t{1} << 16))
  for (int64_t co = 0; co < g.out_channels; ++co) {
    float total = 0.0f;
    for (int64_t n = 0; n < g.batch; ++n) total += sum_lanes(dy + (n * g.out_channels + co) * P, P);
    dbias[co] = total;
  }
}

// x: [N, C, H, W], w: [Cout, C*kh*kw], bias: [Cout] or nullptr -> y: [N, Cout, OH*OW]
void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y) {
  g.check("conv2d_forward");
  const int64_t threads = image_threads(g);
  if (threads == 1) {
    Tensor workspace = Tensor::empty({Chunk::workspace_size(g, g.batch)});
    return forward_chunk(Chunk{g, 0, g.batch, worth_threads(g)}, x, w, bias, y, workspace.data());
  }
  Tensor workspace = Tensor::empty({threads, Chunk::workspace_size(g, 1)});
#pragma omp parallel num_threads(threads)
  {
    float* mine = workspace.data() + omp_get_thread_num() * workspace.size(1);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < g.batch; ++n) forward_chunk(Chunk{g, n, 1, false}, x, w, bias, y, mine);
  }
}

// dy: [N, Cout, OH*OW] -> dx: [N, C, H, W], dw: [Cout, C*kh*kw], dbias: [Cout]
void conv2d_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* dy, float* dx,
                     float* dw, float* dbias) {
  g.check("conv2d_backward");
  if (dbias) conv2d_bias_gradient(g, dy, dbias);
  // The weight gradient is summed transposed, dw^T [K, Cout]: OpenBLAS computes columns * dy^T up to
  // 2x faster than dy * columns^T for thin layers (16 channels at 32x32), and never slower.
  const int64_t threads = image_threads(g), K = g.patch(), Cout = g.out_channels;
  if (threads == 1) {
    Tensor workspace = Tensor::empty({Chunk::workspace_size(g, g.batch)}), dwt = Tensor::empty({1, K * Cout});
    backward_chunk(Chunk{g, 0, g.batch, worth_threads(g)}, x, w, dy, dx, dwt.data(), 0.0f, workspace.data());
    return sum_transposed(dwt, K, Cout, dw);
  }
  // One partial dw^T per thread, zeroed in case a thread gets no image, summed in thread order: deterministic.
  Tensor workspace = Tensor::empty({threads, Chunk::workspace_size(g, 1)});
  Tensor partials = Tensor::zeros({threads, cache_lines(K * Cout)});
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num();
    float* mine = workspace.data() + t * workspace.size(1);
    float* my_dwt = partials.data() + t * partials.size(1);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < g.batch; ++n) backward_chunk(Chunk{g, n, 1, false}, x, w, dy, dx, my_dwt, 1.0f, mine);
  }
  sum_transposed(partials, K, Cout, dw);
}

// Direct loops over y[n, co, oy, ox] = bias[co] + sum_{c, ki, kj} x[n, c, iy, ix] * w[co, c, ki, kj], in double.
void conv2d_forward_reference(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y) {
  g.check("conv2d_forward_reference");
  const int64_t oh = g.out_h(), ow = g.out_w();
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t co = 0; co < g.out_channels; ++co)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double acc = bias ? bias[co] : 0.0;
          for (int64_t c = 0; c < g.in_channels; ++c)
            for (int64_t ki = 0; ki < g.kernel_h; ++ki)
              for (int64_t kj = 0; kj < g.kernel_w; ++kj) {
                const int64_t iy = oy * g.stride - g.padding + ki, ix = ox * g.stride - g.padding + kj;
                if (iy < 0 || iy >= g.height || ix < 0 || ix >= g.width) continue;
                acc += double(x[((n * g.in_channels + c) * g.height + iy) * g.width + ix]) *
                       w[((co * g.in_channels + c) * g.kernel_h + ki) * g.kernel_w + kj];
              }
          y[((n * g.out_channels + co) * oh + oy) * ow + ox] = static_cast<float>(acc);
        }
}

// The same loops run backwards: every product x * w in the forward sends dy * w to dx and dy * x to dw.
void conv2d_backward_reference(const Conv2dGeometry& g, const float* x, const float* w, const float* dy,
                               float* dx, float* dw, float* dbias) {
  g.check("conv2d_backward_reference");
  const int64_t oh = g.out_h(), ow = g.out_w();
  std::vector<double> dx_acc(g.batch * g.in_channels * g.height * g.width), dw_acc(g.out_channels * g.patch()),
      db_acc(g.out_channels);
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t co = 0; co < g.out_channels; ++co)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          const double grad = dy[((n * g.out_channels + co) * oh + oy) * ow + ox];
          db_acc[co] += grad;
          for (int64_t c = 0; c < g.in_channels; ++c)
            for (int64_t ki = 0; ki < g.kernel_h; ++ki)
              for (int64_t kj = 0; kj < g.kernel_w; ++kj) {
                const int64_t iy = oy * g.stride - g.padding + ki, ix = ox * g.stride - g.padding + kj;
                if (iy < 0 || iy >= g.height || ix < 0 || ix >= g.width) continue;
                const int64_t xi = ((n * g.in_channels + c) * g.height + iy) * g.width + ix;
                const int64_t wi = ((co * g.in_channels + c) * g.kernel_h + ki) * g.kernel_w + kj;
                dx_acc[xi] += grad * w[wi];
                dw_acc[wi] += grad * x[xi];
              }
        }
  if (dx) std::transform(dx_acc.begin(), dx_acc.end(), dx, [](double v) { return static_cast<float>(v); });
  std::transform(dw_acc.begin(), dw_acc.end(), dw, [](double v) { return static_cast<float>(v); });
  if (dbias) std::transform(db_acc.begin(), db_acc.end(), dbias, [](double v) { return static_cast<float>(v); });
}

Conv2dGeometry conv2d_geometry(const Shape& x, const Shape& w, int64_t stride, int64_t padding, const char* op) {
  SPRIG_CHECK(x.size() == 4, op, ": expected input [N, C, H, W] but got ", x, " (weight ", w, ")");
  SPRIG_CHECK(w.size() == 4, op, ": expected weight [Cout, C, kh, kw] but got ", w, " (input ", x, ")");
  SPRIG_CHECK(x[1] == w[1], op, ": input ", x, " has ", x[1], " channels but weight ", w, " expects ", w[1]);
  Conv2dGeometry g;
  g.batch = x[0];
  g.in_channels = x[1];
  g.height = x[2];
  g.width = x[3];
  g.out_channels = w[0];
  g.kernel_h = w[2];
  g.kernel_w = w[3];
  g.stride = stride;
  g.padding = padding;
  g.check(op);
  return g;
}

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, int64_t stride, int64_t padding) {
  const Conv2dGeometry g = conv2d_geometry(x.shape(), w.shape(), stride, padding, "conv2d");
  SPRIG_CHECK(!bias.defined() || bias.shape() == Shape{g.out_channels}, "conv2d: expected bias [", g.out_channels,
              "] for weight ", w.shape(), " but got ", bias.shape());
  Tensor y = Tensor::empty({g.batch, g.out_channels, g.out_h(), g.out_w()});
  conv2d_forward(g, x.data(), w.data(), bias.defined() ? bias.data() : nullptr, y.data());
  return y;
}

}  // namespace sprig
