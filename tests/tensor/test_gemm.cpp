#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "tensor/elementwise.h"
#include "tensor/gemm.h"
#include "tensor/generator.h"

using namespace sprig;

namespace {

struct GemmCase {
  int64_t M, N, K;
  int64_t pad;  // extra elements at the end of every row of A, B and C (lda > row length)
  const char* why;
};

// The shapes gemm must agree with gemm_reference on, for every transpose combination.
const GemmCase kCases[] = {
    {1, 1, 1, 0, "smallest product"},
    {3, 5, 7, 0, "sizes below any SIMD width"},
    {13, 17, 19, 0, "sizes not multiples of 8 or 16"},
    {33, 9, 65, 0, "one past multiples of 8/16/32"},
    {4, 6, 0, 0, "K = 0: C = beta * C"},
    {0, 6, 5, 0, "M = 0: nothing to do"},
    {4, 0, 5, 0, "N = 0: nothing to do"},
    {7, 5, 6, 3, "lda/ldb/ldc larger than the row length"},
    {60, 300, 784, 0, "LeNet-300-100 first layer: batch 60, 784 -> 300"},
    {60, 100, 300, 0, "LeNet-300-100 second layer"},
};

// A row-major matrix stored with `pad` spare floats after each row, filled with random values
// (the padding too, so reading it would show up as a mismatch).
struct Padded {
  Tensor storage;
  int64_t ld;
  Padded(int64_t rows, int64_t cols, int64_t pad, Generator& gen)
      : storage(normal({std::max<int64_t>(rows, 1) * (cols + pad)}, gen)), ld(std::max<int64_t>(cols + pad, 1)) {}
};

void check_case(const GemmCase& c, bool ta, bool tb) {
  CAPTURE(c.why);
  CAPTURE(ta);
  CAPTURE(tb);
  Generator gen(uint64_t(c.M * 1000003 + c.N * 1009 + c.K));
  const Padded A(ta ? c.K : c.M, ta ? c.M : c.K, c.pad, gen);
  const Padded B(tb ? c.N : c.K, tb ? c.K : c.N, c.pad, gen);
  Padded C_blas(c.M, c.N, c.pad, gen);
  Tensor C_ref = C_blas.storage.clone();
  const float alpha = 0.75f, beta = -0.5f;
  gemm(ta, tb, c.M, c.N, c.K, alpha, A.storage.data(), A.ld, B.storage.data(), B.ld, beta, C_blas.storage.data(),
       C_blas.ld);
  gemm_reference(ta, tb, c.M, c.N, c.K, alpha, A.storage.data(), A.ld, B.storage.data(), B.ld, beta, C_ref.data(),
                 C_blas.ld);
  // float accumulation error grows like sqrt(K) for random signs; 1e-5 * (K + 1) is a loose bound.
  CHECK(max_abs_diff(C_blas.storage, C_ref) <= 1e-5f * float(c.K + 1));
}

}  // namespace

TEST_CASE("gemm matches gemm_reference for every shape and transpose combination") {
  for (const GemmCase& c : kCases)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) check_case(c, ta, tb);
}

TEST_CASE("gemm with K = 0 applies beta; beta = 0 overwrites even NaN") {
  float A[1] = {0}, B[1] = {0};
  for (auto* f : {&gemm, &gemm_reference}) {
    float C[4] = {1, 2, 3, 4};
    f(false, false, 2, 2, 0, 1.0f, A, 1, B, 2, 3.0f, C, 2);
    CHECK(std::vector<float>(C, C + 4) == std::vector<float>{3, 6, 9, 12});
    const float nan = std::numeric_limits<float>::quiet_NaN();
    float D[4] = {nan, nan, nan, nan};
    f(false, false, 2, 2, 0, 1.0f, A, 1, B, 2, 0.0f, D, 2);
    CHECK(std::vector<float>(D, D + 4) == std::vector<float>(4, 0.0f));
  }
  // Same with K > 0: an uninitialised C must not leak into the result when beta = 0.
  const float a[2] = {1, 2}, b[2] = {3, 4};
  for (auto* f : {&gemm, &gemm_reference}) {
    float c[1] = {std::numeric_limits<float>::quiet_NaN()};
    f(false, false, 1, 1, 2, 1.0f, a, 2, b, 1, 0.0f, c, 1);
    CHECK(c[0] == 11.0f);
  }
}

TEST_CASE("gemm rejects leading dimensions shorter than a row") {
  float buffer[64] = {};
  CHECK_THROWS_WITH_AS(gemm(false, false, 2, 3, 4, 1, buffer, 3, buffer, 3, 0, buffer, 3), doctest::Contains("lda=3"),
                       Error);
  CHECK_THROWS_WITH_AS(gemm(false, true, 2, 3, 4, 1, buffer, 4, buffer, 3, 0, buffer, 3), doctest::Contains("ldb=3"),
                       Error);
  CHECK_THROWS_WITH_AS(gemm(false, false, 2, 3, 4, 1, buffer, 4, buffer, 3, 0, buffer, 2), doctest::Contains("ldc=2"),
                       Error);
  CHECK_THROWS_AS(gemm_reference(false, false, -1, 3, 4, 1, buffer, 4, buffer, 3, 0, buffer, 3), Error);
}

TEST_CASE("matmul: known product, transposes, zero sizes") {
  const Tensor a = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = Tensor::from({3, 2}, {7, 8, 9, 10, 11, 12});
  CHECK(matmul(a, b).to_vector() == std::vector<float>{58, 64, 139, 154});
  // a^T [3, 2] x a [2, 3]
  CHECK(matmul(a, a, true, false).to_vector() == std::vector<float>{17, 22, 27, 22, 29, 36, 27, 36, 45});
  // a [2, 3] x a^T [3, 2]
  CHECK(matmul(a, a, false, true).to_vector() == std::vector<float>{14, 32, 32, 77});
  // b^T [2, 3] x a^T [3, 2] = (a b)^T
  CHECK(matmul(b, a, true, true).to_vector() == std::vector<float>{58, 139, 64, 154});
  CHECK(matmul(Tensor::ones({0, 3}), b).shape() == Shape{0, 2});
  CHECK(matmul(Tensor::ones({2, 0}), Tensor::ones({0, 4})).to_vector() == std::vector<float>(8, 0.0f));
}

TEST_CASE("matmul errors name the op, both shapes and the transposes") {
  const Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({4, 5});
  CHECK_THROWS_WITH_AS(matmul(a, b), doctest::Contains("matmul: inner sizes differ (3 vs 4) in [2, 3] x [4, 5]"),
                       Error);
  CHECK_THROWS_WITH_AS(matmul(a, b, true, true), doctest::Contains("[2, 3]^T x [4, 5]^T"), Error);
  CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({6}), a), doctest::Contains("matmul: expected two matrices"), Error);
  CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({6}), a), doctest::Contains("[6] x [2, 3]"), Error);
}
