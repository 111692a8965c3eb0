#include "tensor/pool.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sprig {

void Pool2dGeometry::check(const char* op) const {
  const Shape input{batch, channels, height, width};
  SPRIG_CHECK(batch > 0 && channels > 0 && height > 0 && width > 0, op, ": sizes must be positive, got input ",
              input);
  constexpr int64_t limit = std::numeric_limits<int32_t>::max();
  SPRIG_CHECK(height <= limit / width, op, ": input ", input, " has too many pixels per plane for int32 argmax");
  SPRIG_CHECK(kernel >= 1 && kernel <= limit && stride >= 1 && stride <= limit, op,
              ": kernel and stride must be at least 1, got kernel ", kernel, " and stride ", stride, " for input ",
              input);
  SPRIG_CHECK(padding >= 0 && padding <= kernel / 2, op, ": padding must be between 0 and kernel / 2 = ", kernel / 2,
              ", got ", padding, " for input ", input);
  SPRIG_CHECK(kernel <= height + 2 * padding && kernel <= width + 2 * padding, op, ": kernel ", kernel,
              " does not fit input ", input, " padded by ", padding);
}

namespace {

constexpr int64_t kParallelElements = int64_t{1} << 15;

// Calls f(plane) for each of the N*C planes, in parallel when the tensor is big.
template <typename F>
void for_each_plane(const Pool2dGeometry& g, F&& f) {
  const int64_t planes = g.batch * g.channels;
#pragma omp parallel for schedule(static) if (planes > 1 && planes * g.height * g.width > kParallelElements)
  for (int64_t p = 0; p < planes; ++p) f(p);
}

// Output columns [begin, end) whose windows lie horizontally inside the image.
struct Span {
  int64_t begin, end;
};

Span interior_columns(const Pool2dGeometry& g) {
  const int64_t ow = g.out_w(), last_left = g.width - g.kernel;  // a window starting further right sticks out
  const int64_t begin = std::min(ow, (g.padding + g.stride - 1) / g.stride);
  const int64_t end = last_left + g.padding < 0 ? 0 : std::min(ow, (last_left + g.padding) / g.stride + 1);
  return {begin, std::max(begin, end)};
}

// Calls cell(ox, i) for every output ox of output row oy and every cell i (index in the HxW plane)
// of its window inside the image; each output sees its cells in row-major order. The outputs whose
// windows lie horizontally inside go one window cell at a time across the row, a plain loop over
// ox that vectorises; the few border outputs go one by one. padding <= kernel / 2 keeps every
// window at least one cell inside.
template <typename Cell>
void for_each_window_cell(const Pool2dGeometry& g, int64_t oy, Span interior, Cell&& cell) {
  const int64_t top = oy * g.stride - g.padding;
  const int64_t y0 = std::max<int64_t>(top, 0), y1 = std::min(top + g.kernel, g.height);
  const auto border = [&](int64_t ox) {
    const int64_t left = ox * g.stride - g.padding;
    const int64_t x0 = std::max<int64_t>(left, 0), x1 = std::min(left + g.kernel, g.width);
    for (int64_t iy = y0; iy < y1; ++iy)
      for (int64_t ix = x0; ix < x1; ++ix) cell(ox, iy * g.width + ix);
  };
  for (int64_t ox = 0; ox < interior.begin; ++ox) border(ox);
  for (int64_t iy = y0; iy < y1; ++iy)
    for (int64_t kx = 0; kx < g.kernel; ++kx) {
      const int64_t base = iy * g.width + kx - g.padding;
      for (int64_t ox = interior.begin; ox < interior.end; ++ox) cell(ox, base + ox * g.stride);
    }
  for (int64_t ox = interior.end; ox < g.out_w(); ++ox) border(ox);
}

// The first maximum in row-major order wins, so ties resolve the same way everywhere; a NaN wins
// over numbers (as in PyTorch), so it propagates.
bool beats(float candidate, float best) { return (candidate > best) | (std::isnan(candidate) & !std::isnan(best)); }

float inv_window_size(const Pool2dGeometry& g) { return 1.0f / static_cast<float>(g.kernel * g.kernel); }

}  // namespace

// x: [N, C, H, W] -> y, argmax: [N, C, OH, OW]
void maxpool2d_forward(const Pool2dGeometry& g, const float* x, float* y, int32_t* argmax) {
  g.check("maxpool2d_forward");
  const int64_t oh = g.out_h(), ow = g.out_w(), in_plane = g.height * g.width;
  const Span interior = interior_columns(g);
  for_each_plane(g, [&](int64_t p) {
    const float* xp = x + p * in_plane;
    for (int64_t oy = 0; oy < oh; ++oy) {
      float* best = y + (p * oh + oy) * ow;
      int32_t* winner = argmax + (p * oh + oy) * ow;
      std::fill(best, best + ow, -std::numeric_limits<float>::infinity());
      std::fill(winner, winner + ow, -1);  // no cell seen yet
      for_each_window_cell(g, oy, interior, [&](int64_t ox, int64_t i) {
        // Selects, not branches: where the maximum sits in a window is unpredictable.
        const bool wins = (winner[ox] < 0) | beats(xp[i], best[ox]);
        best[ox] = wins ? xp[i] : best[ox];
        winner[ox] = wins ? static_cast<int32_t>(i) : winner[ox];
      });
    }
  });
}

// dy, argmax: [N, C, OH, OW] -> dx: [N, C, H, W]
void maxpool2d_backward(const Pool2dGeometry& g, const float* dy, const int32_t* argmax, float* dx) {
  g.check("maxpool2d_backward");
  const int64_t out_plane = g.out_h() * g.out_w(), in_plane = g.height * g.width;
  for_each_plane(g, [&](int64_t p) {
    float* dxp = dx + p * in_plane;
    std::fill(dxp, dxp + in_plane, 0.0f);
    for (int64_t o = p * out_plane; o < (p + 1) * out_plane; ++o) dxp[argmax[o]] += dy[o];
  });
}

// x: [N, C, H, W] -> y: [N, C, OH, OW]; padded cells count as zeros (count_include_pad).
void avgpool2d_forward(const Pool2dGeometry& g, const float* x, float* y) {
  g.check("avgpool2d_forward");
  const int64_t oh = g.out_h(), ow = g.out_w(), in_plane = g.height * g.width;
  const Span interior = interior_columns(g);
  const float scale = inv_window_size(g);
  for_each_plane(g, [&](int64_t p) {
    const float* xp = x + p * in_plane;
    for (int64_t oy = 0; oy < oh; ++oy) {
      float* total = y + (p * oh + oy) * ow;
      std::fill(total, total + ow, 0.0f);
      for_each_window_cell(g, oy, interior, [&](int64_t ox, int64_t i) { total[ox] += xp[i]; });
      for (int64_t ox = 0; ox < ow; ++ox) total[ox] *= scale;
    }
  });
}

// dy: [N, C, OH, OW] -> dx: [N, C, H, W]
void avgpool2d_backward(const Pool2dGeometry& g, const float* dy, float* dx) {
  g.check("avgpool2d_backward");
  const int64_t oh = g.out_h(), ow = g.out_w(), in_plane = g.height * g.width;
  const Span interior = interior_columns(g);
  const float scale = inv_window_size(g);
  for_each_plane(g, [&](int64_t p) {
    float* dxp = dx + p * in_plane;
    std::fill(dxp, dxp + in_plane, 0.0f);
    for (int64_t oy = 0; oy < oh; ++oy) {
      const float* grad = dy + (p * oh + oy) * ow;
      for_each_window_cell(g, oy, interior, [&](int64_t ox, int64_t i) { dxp[i] += grad[ox] * scale; });
    }
  });
}

namespace {

// The reference twins visit every cell of the full kernel x kernel window, padding included, and
// skip the padded ones one by one: visit(plane, oy, ox, iy, ix) for cells inside the image.
template <typename Visit>
void for_each_window_cell_checked(const Pool2dGeometry& g, Visit&& visit) {
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t c = 0; c < g.channels; ++c)
      for (int64_t oy = 0; oy < g.out_h(); ++oy)
        for (int64_t ox = 0; ox < g.out_w(); ++ox)
          for (int64_t ky = 0; ky < g.kernel; ++ky)
            for (int64_t kx = 0; kx < g.kernel; ++kx) {
              const int64_t iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx;
              if (iy >= 0 && iy < g.height && ix >= 0 && ix < g.width) visit((n * g.channels + c), oy, ox, iy, ix);
            }
}

}  // namespace

void maxpool2d_forward_reference(const Pool2dGeometry& g, const float* x, float* y, int32_t* argmax) {
  g.check("maxpool2d_forward_reference");
  const int64_t oh = g.out_h(), ow = g.out_w(), in_plane = g.height * g.width;
  std::fill(argmax, argmax + g.batch * g.channels * oh * ow, -1);  // -1: no cell seen yet
  for_each_window_cell_checked(g, [&](int64_t p, int64_t oy, int64_t ox, int64_t iy, int64_t ix) {
    const int64_t o = (p * oh + oy) * ow + ox, i = iy * g.width + ix;
    const float v = x[p * in_plane + i];
    if (argmax[o] < 0 || beats(v, y[o])) {
      y[o] = v;
      argmax[o] = static_cast<int32_t>(i);
    }
  });
}

void avgpool2d_forward_reference(const Pool2dGeometry& g, const float* x, float* y) {
  g.check("avgpool2d_forward_reference");
  const int64_t oh = g.out_h(), ow = g.out_w(), in_plane = g.height * g.width;
  std::vector<double> sums(g.batch * g.channels * oh * ow, 0.0);
  for_each_window_cell_checked(g, [&](int64_t p, int64_t oy, int64_t ox, int64_t iy, int64_t ix) {
    sums[(p * oh + oy) * ow + ox] += x[p * in_plane + iy * g.width + ix];
  });
  const double count = static_cast<double>(g.kernel * g.kernel);
  std::transform(sums.begin(), sums.end(), y, [&](double s) { return static_cast<float>(s / count); });
}

void avgpool2d_backward_reference(const Pool2dGeometry& g, const float* dy, float* dx) {
  g.check("avgpool2d_backward_reference");
  const int64_t oh = g.out_h(), ow = g.out_w(), in_plane = g.height * g.width;
  std::vector<double> sums(g.batch * g.channels * in_plane, 0.0);
  const double count = static_cast<double>(g.kernel * g.kernel);
  for_each_window_cell_checked(g, [&](int64_t p, int64_t oy, int64_t ox, int64_t iy, int64_t ix) {
    sums[p * in_plane + iy * g.width + ix] += dy[(p * oh + oy) * ow + ox] / count;
  });
  std::transform(sums.begin(), sums.end(), dx, [](double s) { return static_cast<float>(s); });
}

Pool2dGeometry pool2d_geometry(const Shape& x, int64_t kernel, int64_t stride, int64_t padding, const char* op) {
  SPRIG_CHECK(x.size() == 4, op, ": expected input [N, C, H, W] but got ", x);
  Pool2dGeometry g;
  g.batch = x[0];
  g.channels = x[1];
  g.height = x[2];
  g.width = x[3];
  g.kernel = kernel;
  g.stride = stride;
  g.padding = padding;
  g.check(op);
  return g;
}

Tensor maxpool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding, std::vector<int32_t>* argmax) {
  const Pool2dGeometry g = pool2d_geometry(x.shape(), kernel, stride, padding, "maxpool2d");
  Tensor y = Tensor::empty({g.batch, g.channels, g.out_h(), g.out_w()});
  std::vector<int32_t> local;
  std::vector<int32_t>& winners = argmax ? *argmax : local;
  winners.resize(static_cast<size_t>(y.numel()));
  maxpool2d_forward(g, x.data(), y.data(), winners.data());
  return y;
}

Tensor avgpool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding) {
  const Pool2dGeometry g = pool2d_geometry(x.shape(), kernel, stride, padding, "avgpool2d");
  Tensor y = Tensor::empty({g.batch, g.channels, g.out_h(), g.out_w()});
  avgpool2d_forward(g, x.data(), y.data());
  return y;
}

}  // namespace sprig
