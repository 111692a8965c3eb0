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

// Stored weights per tap (density * Cout) below which the direct path beats im2col, measured by
// bench_sparse on ResNet-20 and VGG-16 layers (see sparse_conv.cpp): the column matrix costs
// K * P per image whatever the density, the product density * Cout * K * P, so the column matrix
// dominates thin or very sparse layers.
constexpr double kDirectBelowStoredPerTap = 10.0;
bool sparse_conv2d_prefers_direct(int64_t stride, int64_t out_channels, double density);

// x: [N, C, H, W], w: [Cout, C*kh*kw] (taps 1, or kh*kw for the direct path), bias: [Cout] or null
// -> y: [N, Cout, OH, OW]
void sparse_conv2d_forward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* bias,
                           float* y);
// dy: [N, Cout, OH, OW] -> dx: [N, C, H, W] (overwritten; may be null), dvalues: [nnz] in w.csr's
// order (overwritten), dbias: [Cout] (overwritten; may be null)
void sparse_conv2d_backward(const Conv2dGeometry& g, const float* x, const SparseWeight& w, const float* dy,
                            float* dx, float* dvalues, float* dbias);

}  // namespace sprig
