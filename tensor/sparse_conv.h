#pragma once
// 2-D convolution with a pruned weight: the weight as a CSR matrix [Cout, C*kh*kw] against im2col
// columns, so each stored weight costs one multiply-add per output pixel and pruned ones cost
// nothing. Same geometry and layouts as tensor/conv.h; conv2d_*_reference on the masked dense
// weight is the twin the tests compare against.
#include "tensor/conv.h"
#include "tensor/sparse_weight.h"

namespace sprig {

// x: [N, C, H, W], w: [Cout, C*kh*kw], bias: [Cout] or null -> y: [N, Cout, OH, OW]
void sparse_conv2d_forward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* bias,
                           float* y);
// dy: [N, Cout, OH, OW] -> dx: [N, C, H, W] (overwritten; may be null), dvalues: [nnz] in w.csr's
// order (overwritten), dbias: [Cout] (overwritten; may be null)
void sparse_conv2d_backward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* dy,
                            float* dx, float* dvalues, float* dbias);

}  // namespace sprig
