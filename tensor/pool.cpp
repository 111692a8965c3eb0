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

// The part of an output's window that lies inside the image: rows [y0, y1), columns [x0, x1).
// padding <= kernel / 2 keeps every window at least one pixel inside.
struct Window {
  int64_t y0, y1, x0, x1;
};

Window window(const Pool2dGeometry& g, int64_t oy, int64_t ox) {
  const int64_t top = oy * g.stride - g.padding, left = ox * g.stride - g.padding;
  return {std::max<int64_t>(top, 0), std::min(top + g.kernel, g.height), std::max<int64_t>(left, 0),
          std::min(left + g.kernel, g.width)};
}

// Calls f(plane) for each of the N*C planes, in parallel when the tensor is big.
template <typename F>
void for_each_plane(const Pool2dGeometry& g, F&& f) {
  const int64_t planes = g.batch * g.channels;
#pragma omp parallel for schedule(static) if (planes > 1 && planes * g.height * g.width > kParallelElements)
  for (int64_t p = 0; p < planes; ++p) f(p);
}

// The first maximum in row-major order wins, so ties resolve the same way everywhere; a NaN wins
// over numbers (as in PyTorch), so it propagates.
bool beats(float candidate, float best) { return candidate > best || (std::isnan(candidate) && !std::isnan(best)); }

float inv_window_size(const Pool2dGeometry& g) { return 1.0f / static_cast<float>(g.kernel * g.kernel); }

}  // namespace

// x: [N, C, H, W] -> y, argmax: [N, C, OH, OW]
void maxpool2d_forward(const Pool2dGeometry& g, const float* x, float* y, int32_t* argmax) {
  g.check("maxpool2d_forward");
  const int64_t oh = g.out_h(), ow = g.out_w(), in_plane = g.height * g.width;
  for_each_plane(g, [&](int64_t p) {
    const float* xp = x + p * in_plane;
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        const Window w = window(g, oy, ox);
        int64_t best = w.y0 * g.width + w.x0;
        for (int64_t iy = w.y0; iy < w.y1; ++iy)
          for (int64_t ix = w.x0; ix < w.x1; ++ix)
            if (beats(xp[iy * g.width + ix], xp[best])) best = iy * g.width + ix;
        const int64_t o = (p * oh + oy) * ow + ox;
        y[o] = xp[best];
        argmax[o] = static_cast<int32_t>(best);
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
  const float scale = inv_window_size(g);
  for_each_plane(g, [&](int64_t p) {
    const float* xp = x + p * in_plane;
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        const Window w = window(g, oy, ox);
        float total = 0.0f;
        for (int64_t iy = w.y0; iy < w.y1; ++iy)
          for (int64_t ix = w.x0; ix < w.x1; ++ix) total += xp[iy * g.width + ix];
        y[(p * oh + oy) * ow + ox] = total * scale;
      }
  });
}

// dy: [N, C, OH, OW] -> dx: [N, C, H, W]
void avgpool2d_backward(const Pool2dGeometry& g, const float* dy, float* dx) {
  g.check("avgpool2d_backward");
  const int64_t oh = g.out_h(), ow = g.out_w(), in_plane = g.height * g.width;
  const float scale = inv_window_size(g);
  for_each_plane(g, [&](int64_t p) {
    float* dxp = dx + p * in_plane;
    std::fill(dxp, dxp + in_plane, 0.0f);
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        const Window w = window(g, oy, ox);
        const float share = dy[(p * oh + oy) * ow + ox] * scale;
        for (int64_t iy = w.y0; iy < w.y1; ++iy)
          for (int64_t ix = w.x0; ix < w.x1; ++ix) dxp[iy * g.width + ix] += share;
      }
  });
}

namespace {

// The reference twins visit every cell of the full kernel x kernel window, padding included, and
// skip the padded ones one by one: visit(n, c, oy, ox, iy, ix) for cells inside the image.
template <typename Visit>
void for_each_window_cell(const Pool2dGeometry& g, Visit&& visit) {
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
  for_each_window_cell(g, [&](int64_t p, int64_t oy, int64_t ox, int64_t iy, int64_t ix) {
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
  for_each_window_cell(g, [&](int64_t p, int64_t oy, int64_t ox, int64_t iy, int64_t ix) {
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
  for_each_window_cell(g, [&](int64_t p, int64_t oy, int64_t ox, int64_t iy, int64_t ix) {
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
