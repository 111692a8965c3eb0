#pragma once
// A linear layer y = x W^T + b with a pruned W held as CSR (tensor/sparse_weight.h), in its three
// products. The kernels want the batch along rows (tensor/spmm.h): activations feature-major ("fm"),
// [features, Np], with the batch padded by columns to whole 16-float vectors so no kernel has a
// ragged end. The _fm products take and give that layout, so consecutive sparse layers pass it on
// without transposing (nn::Sequential does); the others transpose on the way in and out. (Writing
// the results transposed from the kernel measured slower than a transpose pass: scattered stores.)
//
// Padding columns: a gradient's are zero (batch_along_rows writes them so, and every product keeps
// zeros there); an activation's hold whatever the bias put there. The weight gradient sums over all
// Np columns, which is exact because one factor is always a gradient.
#include "tensor/sparse_weight.h"
#include "tensor/tensor.h"

namespace sprig {

// m: [N, F] -> [F, Np]: the batch along rows, Np = N rounded up to 16 (N if smaller), zero padding.
Tensor batch_along_rows(const Tensor& m);
// t: [F, Np] -> [N, F], the first N columns transposed back.
Tensor batch_along_columns(const Tensor& t, int64_t N);

// xt: [in, Np], bias: [out] or null -> yt: [out, Np]
Tensor sparse_linear_fm_forward(const SparseWeight& w, const Tensor& xt, const float* bias);
// dyt: [out, Np] -> dxt: [in, Np]; w's transposes must be current (refresh_transposes)
Tensor sparse_linear_fm_input_grad(const SparseWeight& w, const Tensor& dyt);
// dyt [out, Np], xt [in, Np] -> dweight: [out, in], += dy^T x at the pattern only (= with overwrite)
void sparse_linear_weight_grad(const SparseWeight& w, const Tensor& dyt, const Tensor& xt, float* dweight,
                               bool overwrite);

// The same in the batch-major layout. x: [N, in], bias: [out] or null -> y: [N, out]; xt:
// batch_along_rows(x), kept for the weight gradient.
Tensor sparse_linear_forward(const SparseWeight& w, const Tensor& x, const float* bias, Tensor& xt);
// dyt: batch_along_rows(dy) [out, Np] -> dx: [N, in]
Tensor sparse_linear_input_grad(const SparseWeight& w, const Tensor& dyt, int64_t N);

}  // namespace sprig
