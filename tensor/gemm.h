#pragma once
// C = alpha * op(A) * op(B) + beta * C, row-major. op(X) is X or its transpose.
// gemm goes through cblas_sgemm; gemm_reference is the plain triple loop the tests compare against.
#include <cstdint>

#include "tensor/tensor.h"

namespace sprig {

// A: [M, K] (or [K, M] if trans_a), B: [K, N] (or [N, K] if trans_b), C: [M, N]; lda/ldb/ldc = row strides.
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void gemm_reference(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                    int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// Matrix product of rank-2 tensors with optional transposes: op(a) [M, K] x op(b) [K, N] -> [M, N].
Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false);

}  // namespace sprig
