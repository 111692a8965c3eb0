#pragma once
// Linear and conv2d with a pruned weight held as CSR (tensor/sparse_weight.h). The weight Variable
// is the dense parameter ([out, in], or [Cout, C, kh, kw]); the ops read it only at the pattern's
// entries and write its gradient only there, so each equals the dense op on weight * mask, value
// and gradient. `w` carries the pattern; its values are refreshed from the weight on every call.
#include <memory>

#include "autograd/variable.h"
#include "tensor/sparse_weight.h"

namespace sprig {

// x [N, in], weight [out, in], bias [out] or undefined -> [N, out]
Variable sparse_linear(const Variable& x, const Variable& weight, const Variable& bias,
                       const std::shared_ptr<SparseWeight>& w);
// The same feature-major (tensor/sparse_linear.h): xt [blocks, in, Nb] -> [blocks, out, Nb].
// Between two of these only element-wise ops may run, so that the gradient's padding columns stay
// zero.
Variable sparse_linear_fm(const Variable& xt, const Variable& weight, const Variable& bias,
                          const std::shared_ptr<SparseWeight>& w);
// x [N, F] -> [blocks, F, Nb], zero padding, and back: the entry to and exit from a feature-major run.
Variable to_feature_major(const Variable& x);
Variable from_feature_major(const Variable& xt, int64_t N);
// x [N, C, H, W], weight [Cout, C, kh, kw], bias [Cout] or undefined -> [N, Cout, OH, OW]
Variable sparse_conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                       const std::shared_ptr<SparseWeight>& w, int64_t stride = 1, int64_t padding = 0);

}  // namespace sprig
