#pragma once
// Sparse times dense: a pruned weight matrix (CSR) times activations laid out with the batch along
// rows, so the inner loop runs over contiguous examples (or conv output pixels) and vectorises.
// The transposed product a^T b (a layer's input gradient) is spmm on csr_transpose(a): each output
// row then gathers its own sums, so threads never write the same row and results do not depend on
// the thread count. spmm_reference and spmm_transposed_reference are the plain loops, in double.
#include <cstdint>

#include "tensor/csr.h"

namespace sprig {

// a: CSR [M, K], b: [K, n] (rows ldb apart), bias: [M] or null -> c: [M, n] (rows ldc apart),
// overwritten: c[i, :] = bias[i] + sum over stored (i, k) of a[i, k] * b[k, :].
void spmm(const Csr& a, const float* b, int64_t ldb, int64_t n, const float* bias, float* c, int64_t ldc);
// The same with b's rows anywhere (DenseRows): row k's [0, n) must be readable.
void spmm(const Csr& a, const DenseRows& b, int64_t n, const float* bias, float* c, int64_t ldc);
void spmm_reference(const Csr& a, const float* b, int64_t ldb, int64_t n, const float* bias, float* c, int64_t ldc);

// a: CSR [M, K], b: [M, n] (rows ldb apart) -> c: [K, n] (rows ldc apart), overwritten: c = a^T b.
void spmm_transposed_reference(const Csr& a, const float* b, int64_t ldb, int64_t n, float* c, int64_t ldc);

}  // namespace sprig
