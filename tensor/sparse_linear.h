#pragma once
// A linear layer y = x W^T + b with a pruned W held as CSR (tensor/sparse_weight.h), in its three
// products. The kernels want the batch along rows (tensor/spmm.h), so x and dy are transposed on
// the way in (and kept for the weight gradient) and the results on the way out. (Writing the
// results transposed from the kernel measured slower than a transpose pass: scattered stores.)
#include "tensor/sparse_weight.h"
#include "tensor/tensor.h"

namespace sprig {

// x: [N, in], bias: [out] or null -> y: [N, out]; xt: x^T [in, N], for the weight gradient.
Tensor sparse_linear_forward(const SparseWeight& w, const Tensor& x, const float* bias, Tensor& xt);
// dyt: dy^T [out, N] -> dx: [N, in]; w's transposes must be current (refresh_transposes)
Tensor sparse_linear_input_grad(const SparseWeight& w, const Tensor& dyt);
// dyt: dy^T [out, N], xt: x^T [in, N] -> dweight: [out, in], += dy^T x at the pattern only
void sparse_linear_weight_grad(const SparseWeight& w, const Tensor& dyt, const Tensor& xt, float* dweight);

}  // namespace sprig
