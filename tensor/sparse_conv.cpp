#include "tensor/sparse_conv.h"

#include <omp.h>

#include <algorithm>

#include "tensor/sddmm.h"
#include "tensor/spmm.h"

namespace sprig {

namespace {

// The kernels' inner loops run over a group's output pixels: images with fewer than this many
// (VGG-16's 4x4 and 2x2 layers) are grouped, side by side, into one column matrix.
constexpr int64_t kMinColumns = 64;

// Images [n0, n0 + count) side by side: image i owns columns [i*P, (i+1)*P) of every matrix.
struct Group {
  const Conv2dGeometry& g;
  int64_t n0, count;
  int64_t P() const { return g.out_h() * g.out_w(); }
  int64_t columns() const { return count * P(); }
  int64_t image_size() const { return g.in_channels * g.height * g.width; }

  // x -> cols: [K, columns]
  void im2col_into(const float* x, float* cols) const {
    for (int64_t i = 0; i < count; ++i) im2col(g, x + (n0 + i) * image_size(), cols + i * P(), columns());
  }
  // cols: [K, columns] -> dx, overwritten
  void col2im_into(const float* cols, float* dx) const {
    for (int64_t i = 0; i < count; ++i) {
      float* image = dx + (n0 + i) * image_size();
      std::fill(image, image + image_size(), 0.0f);
      col2im(g, cols + i * P(), columns(), image);
    }
  }
  // [N, Cout, P] <-> [Cout, columns], a P-float block at a time.
  template <bool ToGroup>
  void copy_blocks(const float* from, float* to) const {
    for (int64_t i = 0; i < count; ++i)
      for (int64_t co = 0; co < g.out_channels; ++co) {
        const int64_t t = ((n0 + i) * g.out_channels + co) * P(), m = co * columns() + i * P();
        if constexpr (ToGroup) std::copy_n(from + t, P(), to + m);
        else std::copy_n(from + m, P(), to + t);
      }
  }
};

struct Plan {
  int64_t per_group, groups, threads;
  int64_t workspace;  // floats per thread: columns, then [Cout, columns] (outputs or packed dy)
};

// Groups of whole images; threads take whole groups when there are enough of them (each kernel
// then runs on one thread), else one thread walks the groups and the kernels split rows.
Plan plan_for(const Conv2dGeometry& g) {
  const int64_t P = g.out_h() * g.out_w();
  const int64_t per_group = std::min(g.batch, (kMinColumns + P - 1) / P);
  const int64_t groups = (g.batch + per_group - 1) / per_group;
  const int64_t max_threads = omp_get_max_threads();
  const int64_t threads = groups >= max_threads ? max_threads : 1;
  const int64_t columns = per_group * P;
  const int64_t round = 16;  // whole cache lines, so threads never share one
  return {per_group, groups, threads,
          ((g.patch() * columns + round - 1) / round + (g.out_channels * columns + round - 1) / round) * round};
}

Group group_of(const Conv2dGeometry& g, const Plan& plan, int64_t index) {
  const int64_t n0 = index * plan.per_group;
  return {g, n0, std::min(plan.per_group, g.batch - n0)};
}

}  // namespace

// x: [N, C, H, W], w: [Cout, K], bias: [Cout] or null -> y: [N, Cout, P]
void sparse_conv2d_forward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* bias,
                           float* y) {
  g.check("sparse_conv2d_forward");
  SPRIG_CHECK(w.csr.rows == g.out_channels && w.csr.cols == g.patch(), "sparse_conv2d_forward: weight [",
              w.csr.rows, ", ", w.csr.cols, "] for ", g.out_channels, " filters of ", g.patch(), " taps");
  const Plan plan = plan_for(g);
  Tensor workspace = Tensor::empty({plan.threads, plan.workspace});
#pragma omp parallel num_threads(plan.threads)
  {
    float* cols = workspace.data() + omp_get_thread_num() * plan.workspace;
#pragma omp for schedule(static)
    for (int64_t index = 0; index < plan.groups; ++index) {
      const Group group = group_of(g, plan, index);
      const int64_t K = g.patch(), NP = group.columns();
      float* out = group.count == 1 ? y + group.n0 * g.out_channels * NP : cols + K * NP;  // one image: into y
      group.im2col_into(x, cols);
      spmm(w.csr, cols, NP, NP, bias, out, NP);
      if (group.count > 1) group.copy_blocks<false>(out, y);
    }
  }
}

// dy: [N, Cout, P] -> dx: [N, C, H, W], dvalues: [nnz], dbias: [Cout]
void sparse_conv2d_backward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* dy,
                            float* dx, float* dvalues, float* dbias) {
  g.check("sparse_conv2d_backward");
  SPRIG_CHECK(w.csr.rows == g.out_channels && w.csr.cols == g.patch(), "sparse_conv2d_backward: weight [",
              w.csr.rows, ", ", w.csr.cols, "] for ", g.out_channels, " filters of ", g.patch(), " taps");
  if (dbias) conv2d_bias_gradient(g, dy, dbias);
  const Plan plan = plan_for(g);
  const int64_t nnz = w.nnz(), stride = (nnz + 15) / 16 * 16;
  Tensor workspace = Tensor::empty({plan.threads, plan.workspace});
  // One partial weight gradient per thread, summed in thread order below: deterministic.
  Tensor partials = Tensor::zeros({plan.threads, stride});
#pragma omp parallel num_threads(plan.threads)
  {
    const int64_t t = omp_get_thread_num();
    float* cols = workspace.data() + t * plan.workspace;
#pragma omp for schedule(static)
    for (int64_t index = 0; index < plan.groups; ++index) {
      const Group group = group_of(g, plan, index);
      const int64_t K = g.patch(), NP = group.columns();
      const float* grads = dy + group.n0 * g.out_channels * NP;  // one image: dy as it is
      if (group.count > 1) {
        group.copy_blocks<true>(dy, cols + K * NP);
        grads = cols + K * NP;
      }
      group.im2col_into(x, cols);
      sddmm(w.csr, grads, NP, cols, NP, NP, partials.data() + t * stride);  // dW += dy cols^T at the pattern
      if (!dx) continue;
      spmm(w.transposed, grads, NP, NP, nullptr, cols, NP);  // dcols = W^T dy, over the spent columns
      group.col2im_into(cols, dx);
    }
  }
  const float* p = partials.data();
  std::copy_n(p, nnz, dvalues);
  for (int64_t t = 1; t < plan.threads; ++t)
    for (int64_t k = 0; k < nnz; ++k) dvalues[k] += p[t * stride + k];
}

}  // namespace sprig
