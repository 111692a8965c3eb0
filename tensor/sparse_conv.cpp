#include "tensor/sparse_conv.h"

#include <omp.h>

#include <algorithm>

#include "tensor/sparse_conv_paths.h"

namespace sprig {

namespace sparse_conv {

int64_t group_size(const Conv2dGeometry& g, int64_t columns_per_image, int64_t min_columns) {
  return std::min(g.batch, (min_columns + columns_per_image - 1) / columns_per_image);
}

}  // namespace sparse_conv

namespace {

using namespace sparse_conv;

bool direct_possible(const Conv2dGeometry& g, const SparseWeight& w) {
  return g.stride == 1 && w.taps() == g.kernel_h * g.kernel_w;
}

// Checks the weight and resolves `automatic`.
bool use_direct(const char* op, const Conv2dGeometry& g, const SparseWeight& w, ConvPath path) {
  g.check(op);
  SPRIG_CHECK(w.csr.rows == g.out_channels && w.csr.cols == g.patch(), op, ": weight [", w.csr.rows, ", ", w.csr.cols,
              "] for ", g.out_channels, " filters of ", g.patch(), " taps");
  SPRIG_CHECK(path != ConvPath::direct || direct_possible(g, w), op, ": the direct path needs stride 1 (got ",
              g.stride, ") and the weight regrouped by ", g.kernel_h * g.kernel_w, " taps (got ", w.taps(), ")");
  if (path != ConvPath::automatic) return path == ConvPath::direct;
  return direct_possible(g, w) && sparse_conv2d_prefers_direct(g, w.nnz());
}

struct Path {
  const PathKernels& kernels;
  int64_t per_group, groups, threads, workspace;

  Path(const Conv2dGeometry& g, bool direct) : kernels(direct ? kDirectPath : kIm2colPath) {
    per_group = kernels.images_per_group(g);
    groups = (g.batch + per_group - 1) / per_group;
    // Threads take whole groups when there are enough of them (each kernel then runs on one
    // thread), else one thread walks the groups and the kernels split rows.
    const int64_t max_threads = omp_get_max_threads();
    threads = groups >= max_threads ? max_threads : 1;
    workspace = kernels.workspace(g, per_group);
  }
  Group group(const Conv2dGeometry& g, int64_t index) const {
    const int64_t n0 = index * per_group;
    return {g, n0, std::min(per_group, g.batch - n0)};
  }
};

}  // namespace

// Per image, im2col and col2im move K * P floats whatever the density; the direct path instead
// pads the input and moves outputs and gradients, (C + 2 Cout) * plane floats, and its products run
// over the padded grid, plane = (H + 2p) (W + 2p) positions instead of P: the waste is
// nnz * (plane - P) multiply-adds. Measured (bench_sparse layers; the ratio im2col / direct time,
// forward + backward, 1 thread, batch 8): ResNet-20's 16 -> 16 at 32x32 direct 1.6x faster at
// density 0.5 and 4x at 0.02; VGG-16's 512 -> 512 at 2x2 direct 3-8x slower from 0.05 up; VGG-16's
// first layer (K = 27 < Cout = 64) 0.7x. The rule: stored weights per tap times the relative waste
// below 8, and K at least Cout.
bool sparse_conv2d_prefers_direct(const Conv2dGeometry& g, int64_t nnz) {
  if (g.stride != 1 || g.patch() < g.out_channels) return false;
  const double P = double(g.out_h() * g.out_w());
  const double plane = double((g.height + 2 * g.padding) * (g.width + 2 * g.padding));
  const double stored_per_tap = double(nnz) / double(g.patch());
  return stored_per_tap * (plane / P - 1.0) < 8.0;
}

// x: [N, C, H, W], w: [Cout, K], bias: [Cout] or null -> y: [N, Cout, OH, OW]
void sparse_conv2d_forward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* bias,
                           float* y, ConvPath choice) {
  const Path path(g, use_direct("sparse_conv2d_forward", g, w, choice));
  Tensor workspace = Tensor::empty({path.threads, path.workspace});
#pragma omp parallel num_threads(path.threads)
  {
    float* work = workspace.data() + omp_get_thread_num() * path.workspace;
#pragma omp for schedule(static)
    for (int64_t index = 0; index < path.groups; ++index) {
      path.kernels.forward(path.group(g, index), x, w, bias, y, work);
    }
  }
}

// dy: [N, Cout, OH, OW] -> dx: [N, C, H, W], dvalues: [nnz], dbias: [Cout]
void sparse_conv2d_backward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* dy,
                            float* dx, float* dvalues, float* dbias, ConvPath choice) {
  const Path path(g, use_direct("sparse_conv2d_backward", g, w, choice));
  if (dbias) conv2d_bias_gradient(g, dy, dbias);
  const int64_t nnz = w.nnz(), stride = cache_lines(nnz);
  Tensor workspace = Tensor::empty({path.threads, path.workspace});
  // One partial weight gradient per thread, summed in thread order below: deterministic.
  Tensor partials = Tensor::zeros({path.threads, stride});
#pragma omp parallel num_threads(path.threads)
  {
    const int64_t t = omp_get_thread_num();
    float* work = workspace.data() + t * path.workspace;
    float* partial = partials.data() + t * stride;
#pragma omp for schedule(static)
    for (int64_t index = 0; index < path.groups; ++index) {
      path.kernels.backward(path.group(g, index), x, w, dy, dx, partial, work);
    }
  }
  const float* p = partials.data();
  std::copy_n(p, nnz, dvalues);
  for (int64_t t = 1; t < path.threads; ++t)
    for (int64_t k = 0; k < nnz; ++k) dvalues[k] += p[t * stride + k];
}

}  // namespace sprig
