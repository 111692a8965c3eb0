#pragma once
// A linear layer y = x W^T + b with a pruned W held as CSR (tensor/sparse_weight.h), in its three
// products. The kernels want the batch along rows (tensor/spmm.h), so x and dy are transposed on
// the way in (and kept for the weight gradient) and the results on the way out; the batch is padded
// with zero columns to whole 16-float vectors, so no kernel has a ragged end. (Writing the results
// transposed from the kernel measured slower than a transpose pass: scattered stores.)
#include "tensor/sparse_weight.h"
#include "tensor/tensor.h"

namespace sprig {

// m: [N, F] -> [F, Np]: the batch along rows, Np = N rounded up to 16 (N if smaller), zero padding.
Tensor batch_along_rows(const Tensor& m);

// x: [N, in], bias: [out] or null -> y: [N, out]; xt: batch_along_rows(x), for the weight gradient.
Tensor sparse_linear_forward(const SparseWeight& w, const Tensor& x, const float* bias, Tensor& xt);
// dyt: batch_along_rows(dy) [out, Np] -> dx: [N, in]; w's transposes must be current (refresh_transposes)
Tensor sparse_linear_input_grad(const SparseWeight& w, const Tensor& dyt, int64_t N);
// dyt [out, Np], xt [in, Np] (both batch_along_rows) -> dweight: [out, in], += dy^T x at the pattern only
void sparse_linear_weight_grad(const SparseWeight& w, const Tensor& dyt, const Tensor& xt, float* dweight);

}  // namespace sprig
