#pragma once
// Matrix products through GEMM.
#include "autograd/variable.h"

namespace sprig {

// op(a) [M, K] x op(b) [K, N] -> [M, N]
Variable matmul(const Variable& a, const Variable& b, bool trans_a = false, bool trans_b = false);
// x [N, in], weight [out, in], bias [out] or undefined -> x W^T + b, [N, out] (one GEMM, fused bias)
Variable linear(const Variable& x, const Variable& weight, const Variable& bias);

}  // namespace sprig
