#include "tensor/sparse_conv.h"

#include <omp.h>

#include <algorithm>

#include "tensor/sparse_conv_paths.h"

namespace sprig {

namespace sparse_conv {

int64_t images_per_group(const Conv2dGeometry& g, int64_t columns_per_image, int64_t min_columns) {
  return std::min(g.batch, (min_columns + columns_per_image - 1) / columns_per_image);
}

}  // namespace sparse_conv

namespace {

using namespace sparse_conv;

void check_weight(const char* op, const Conv2dGeometry& g, const SparseWeight& w) {
  g.check(op);
  SPRIG_CHECK(w.csr.rows == g.out_channels && w.csr.cols == g.patch(), op, ": weight [", w.csr.rows, ", ", w.csr.cols,
              "] for ", g.out_channels, " filters of ", g.patch(), " taps");
  SPRIG_CHECK(w.taps == 1 || (w.taps == g.kernel_h * g.kernel_w && g.stride == 1), op, ": a weight regrouped by ",
              w.taps, " taps is for stride-1 ", g.kernel_h, "x", g.kernel_w, " convolutions, not stride ", g.stride);
}

// The direct path where the weight was regrouped for it (sparse_conv2d_prefers_direct), else im2col.
struct Path {
  bool direct;
  int64_t per_group, groups, threads, workspace;

  Path(const Conv2dGeometry& g, const SparseWeight& w) : direct(g.stride == 1 && w.taps == g.kernel_h * g.kernel_w) {
    per_group = direct ? direct_path::images_per_group(g) : im2col_path::images_per_group(g);
    groups = (g.batch + per_group - 1) / per_group;
    // Threads take whole groups when there are enough of them (each kernel then runs on one
    // thread), else one thread walks the groups and the kernels split rows.
    const int64_t max_threads = omp_get_max_threads();
    threads = groups >= max_threads ? max_threads : 1;
    workspace = direct ? direct_path::workspace(g, per_group) : im2col_path::workspace(g, per_group);
  }
  Group group(const Conv2dGeometry& g, int64_t index) const {
    const int64_t n0 = index * per_group;
    return {g, n0, std::min(per_group, g.batch - n0)};
  }
};

}  // namespace

bool sparse_conv2d_prefers_direct(int64_t stride, int64_t out_channels, double density) {
  return stride == 1 && density * double(out_channels) < kDirectBelowStoredPerTap;
}

// x: [N, C, H, W], w: [Cout, K], bias: [Cout] or null -> y: [N, Cout, OH, OW]
void sparse_conv2d_forward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* bias,
                           float* y) {
  check_weight("sparse_conv2d_forward", g, w);
  const Path path(g, w);
  Tensor workspace = Tensor::empty({path.threads, path.workspace});
#pragma omp parallel num_threads(path.threads)
  {
    float* work = workspace.data() + omp_get_thread_num() * path.workspace;
#pragma omp for schedule(static)
    for (int64_t index = 0; index < path.groups; ++index) {
      const Group group = path.group(g, index);
      if (path.direct) direct_path::forward(group, x, w, bias, y, work);
      else im2col_path::forward(group, x, w, bias, y, work);
    }
  }
}

// dy: [N, Cout, OH, OW] -> dx: [N, C, H, W], dvalues: [nnz], dbias: [Cout]
void sparse_conv2d_backward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* dy,
                            float* dx, float* dvalues, float* dbias) {
  check_weight("sparse_conv2d_backward", g, w);
  if (dbias) conv2d_bias_gradient(g, dy, dbias);
  const Path path(g, w);
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
      const Group group = path.group(g, index);
      if (path.direct) direct_path::backward(group, x, w, dy, dx, partial, work);
      else im2col_path::backward(group, x, w, dy, dx, partial, work);
    }
  }
  const float* p = partials.data();
  std::copy_n(p, nnz, dvalues);
  for (int64_t t = 1; t < path.threads; ++t)
    for (int64_t k = 0; k < nnz; ++k) dvalues[k] += p[t * stride + k];
}

}  // namespace sprig
