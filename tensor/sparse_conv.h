#pragma once
// 2-D convolution with a pruned weight: the weight as a CSR matrix [Cout, C*kh*kw], so each stored
// weight costs one multiply-add per output pixel and pruned ones cost nothing. Two paths
// (tensor/sparse_conv_paths.h): against im2col columns (any stride), or direct on zero-padded
// images (stride 1; the weight regrouped by input channel, SparseWeight taps = kh * kw), which
// skips the column matrix. Same geometry and layouts as tensor/conv.h; conv2d_*_reference on the
// masked dense weight is the twin the tests compare against.
#include "tensor/conv.h"
#include "tensor/sparse_weight.h"

namespace sprig {

enum class ConvPath { automatic, im2col, direct };

// Whether the direct path is faster for this geometry and number of stored weights (measured on
// ResNet-20 and VGG-16 layers, see sparse_conv.cpp). It needs stride 1 and w.taps = kh * kw.
bool sparse_conv2d_prefers_direct(const Conv2dGeometry& g, int64_t nnz);

// x: [N, C, H, W], w: [Cout, C*kh*kw], bias: [Cout] or null -> y: [N, Cout, OH, OW]
void sparse_conv2d_forward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* bias,
                           float* y, ConvPath path = ConvPath::automatic);
// dy: [N, Cout, OH, OW] -> dx: [N, C, H, W] (overwritten; may be null: then w's transposes may be
// stale, else call refresh_transposes first), dvalues: [nnz] in w.csr's order (overwritten),
// dbias: [Cout] (overwritten; may be null)
void sparse_conv2d_backward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* dy,
                            float* dx, float* dvalues, float* dbias, ConvPath path = ConvPath::automatic);

}  // namespace sprig
