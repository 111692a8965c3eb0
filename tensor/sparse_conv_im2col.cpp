// The im2col path of the sparse convolution (tensor/sparse_conv_paths.h).
#include <algorithm>

#include "tensor/sddmm.h"
#include "tensor/sparse_conv_paths.h"
#include "tensor/spmm.h"

namespace sprig::sparse_conv {

namespace {

int64_t columns(const Group& group) { return group.count * group.out_plane(); }

// x -> cols: [K, columns], image i at columns [i*P, (i+1)*P)
void im2col_into(const Group& group, const float* x, float* cols) {
  for (int64_t i = 0; i < group.count; ++i)
    im2col(group.g, x + (group.n0 + i) * group.image_size(), cols + i * group.out_plane(), columns(group));
}

// cols: [K, columns] -> dx, overwritten for the group's images
void col2im_into(const Group& group, const float* cols, float* dx) {
  for (int64_t i = 0; i < group.count; ++i) {
    float* image = dx + (group.n0 + i) * group.image_size();
    std::fill(image, image + group.image_size(), 0.0f);
    col2im(group.g, cols + i * group.out_plane(), columns(group), image);
  }
}

// [N, Cout, P] <-> [Cout, columns], a P-float block at a time.
template <bool ToGroup>
void copy_blocks(const Group& group, const float* from, float* to) {
  const int64_t P = group.out_plane(), Cout = group.g.out_channels;
  for (int64_t i = 0; i < group.count; ++i)
    for (int64_t co = 0; co < Cout; ++co) {
      const int64_t t = ((group.n0 + i) * Cout + co) * P, m = co * columns(group) + i * P;
      if constexpr (ToGroup) std::copy_n(from + t, P, to + m);
      else std::copy_n(from + m, P, to + t);
    }
}

int64_t images_per_group(const Conv2dGeometry& g) {
  return group_size(g, g.out_h() * g.out_w(), 64);
}

// The column matrix, then [Cout, columns] for outputs or packed output gradients.
int64_t workspace(const Conv2dGeometry& g, int64_t count) {
  const int64_t columns = count * g.out_h() * g.out_w();
  return cache_lines(g.patch() * columns) + cache_lines(g.out_channels * columns);
}

void forward(const Group& group, const float* x, const SparseWeight& w, const float* bias, float* y, float* work) {
  const int64_t NP = columns(group);
  float* cols = work;
  float* out = group.count == 1 ? y + group.n0 * group.g.out_channels * NP : work + cache_lines(group.g.patch() * NP);
  im2col_into(group, x, cols);
  spmm(w.csr, cols, NP, NP, bias, out, NP);
  if (group.count > 1) copy_blocks<false>(group, out, y);
}

void backward(const Group& group, const float* x, const SparseWeight& w, const float* dy, float* dx, float* dvalues,
              float* work) {
  const int64_t NP = columns(group);
  float* cols = work;
  const float* grads = dy + group.n0 * group.g.out_channels * NP;  // one image: dy as it is
  if (group.count > 1) {
    float* packed = work + cache_lines(group.g.patch() * NP);
    copy_blocks<true>(group, dy, packed);
    grads = packed;
  }
  im2col_into(group, x, cols);
  sddmm(w.csr, grads, NP, cols, NP, NP, dvalues);  // dW += dy cols^T at the pattern
  if (!dx) return;
  spmm(w.transposed(), grads, NP, NP, nullptr, cols, NP);  // dcols = W^T dy, over the spent columns
  col2im_into(group, cols, dx);
}

}  // namespace

const PathKernels kIm2colPath = {images_per_group, workspace, forward, backward};

}  // namespace sprig::sparse_conv
