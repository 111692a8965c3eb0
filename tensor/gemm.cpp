#include "tensor/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <limits>
#include <string>

namespace sprig {

namespace {

// Both versions share BLAS semantics, checked here: sizes >= 0, every leading dimension at least the
// row length of the matrix as stored (OpenBLAS would otherwise print an error and silently skip).
void check_gemm_args(const char* op, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, int64_t lda,
                     int64_t ldb, int64_t ldc) {
  SPRIG_CHECK(M >= 0 && N >= 0 && K >= 0, op, ": negative size M=", M, " N=", N, " K=", K);
  const int64_t a_cols = trans_a ? M : K, b_cols = trans_b ? K : N;
  SPRIG_CHECK(lda >= std::max<int64_t>(1, a_cols), op, ": lda=", lda, " is less than A's row length ", a_cols,
              " (trans_a=", trans_a ? "true" : "false", ")");
  SPRIG_CHECK(ldb >= std::max<int64_t>(1, b_cols), op, ": ldb=", ldb, " is less than B's row length ", b_cols,
              " (trans_b=", trans_b ? "true" : "false", ")");
  SPRIG_CHECK(ldc >= std::max<int64_t>(1, N), op, ": ldc=", ldc, " is less than C's row length ", N);
}

// C = beta * C for the K == 0 case; beta == 0 overwrites, so NaNs in an uninitialised C do not survive.
// C: [M, N] with row stride ldc.
void scale_rows(int64_t M, int64_t N, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    float* c = C + i * ldc;
    if (beta == 0.0f)
      std::fill(c, c + N, 0.0f);
    else
      for (int64_t j = 0; j < N; ++j) c[j] *= beta;
  }
}

// "[2, 3]" or, transposed, "[2, 3]^T": how error messages show a matmul operand.
std::string operand(const Tensor& t, bool transposed) { return t.shape().str() + (transposed ? "^T" : ""); }

}  // namespace

// A: [M, K] (or [K, M]), B: [K, N] (or [N, K]), C: [M, N]
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  check_gemm_args("gemm", trans_a, trans_b, M, N, K, lda, ldb, ldc);
  if (M == 0 || N == 0) return;
  if (K == 0) return scale_rows(M, N, beta, C, ldc);
  constexpr int64_t int_max = std::numeric_limits<blasint>::max();
  SPRIG_CHECK(std::max({M, N, K, lda, ldb, ldc}) <= int_max, "gemm: sizes M=", M, " N=", N, " K=", K,
              " exceed the BLAS integer range");
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(M), static_cast<blasint>(N), static_cast<blasint>(K), alpha, A,
              static_cast<blasint>(lda), B, static_cast<blasint>(ldb), beta, C, static_cast<blasint>(ldc));
}

// Same shapes as gemm; the plain triple loop, accumulating in double.
void gemm_reference(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                    int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  check_gemm_args("gemm_reference", trans_a, trans_b, M, N, K, lda, ldb, ldc);
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      double acc = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        const float a = trans_a ? A[k * lda + i] : A[i * lda + k];
        const float b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
        acc += double(a) * double(b);
      }
      float& c = C[i * ldc + j];
      c = static_cast<float>(alpha * acc + (beta == 0.0f ? 0.0 : double(beta) * c));
    }
  }
}

Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
  SPRIG_CHECK(a.dim() == 2 && b.dim() == 2, "matmul: expected two matrices but got ", operand(a, trans_a), " x ",
              operand(b, trans_b));
  const int64_t M = a.size(trans_a ? 1 : 0), K = a.size(trans_a ? 0 : 1);
  const int64_t N = b.size(trans_b ? 0 : 1), K_b = b.size(trans_b ? 1 : 0);
  SPRIG_CHECK(K == K_b, "matmul: inner sizes differ (", K, " vs ", K_b, ") in ", operand(a, trans_a), " x ",
              operand(b, trans_b));
  Tensor c = Tensor::empty({M, N});
  gemm(trans_a, trans_b, M, N, K, 1.0f, a.data(), std::max<int64_t>(1, a.size(1)), b.data(),
       std::max<int64_t>(1, b.size(1)), 0.0f, c.data(), std::max<int64_t>(1, N));
  return c;
}

}  // namespace sprig
