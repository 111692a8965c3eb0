#pragma once
// Sampled dense-dense product: the weight gradient of a pruned layer, dW = dy^T x, computed only at
// the stored entries of W's pattern. Both operands have the batch (or conv output pixels) along
// rows, so each entry is one contiguous dot product. sddmm_reference is the plain loop, in double.
#include <cstdint>

#include "tensor/csr.h"

namespace sprig {

// pattern: CSR [M, K] (its values are not read), a: [M, n] (rows lda apart), b: [K, n] (rows ldb
// apart) -> out: [nnz], accumulated: out[k] += a[i, :] . b[j, :] for the k-th stored entry (i, j),
// so a convolution sums its images into one buffer; or = with overwrite.
void sddmm(const Csr& pattern, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t n, float* out,
           bool overwrite = false);
// The same with b's rows anywhere (DenseRows): row j's [0, n) must be readable.
void sddmm(const Csr& pattern, const float* a, int64_t lda, const DenseRows& b, int64_t n, float* out,
           bool overwrite = false);
// Operands whose columns come in `count` blocks (a batch cut by thread, tensor/sparse_linear.h):
// block s of a starts at a + s * a_step, of b at b + s * b_step, n columns each, and each dot
// product runs over all of them.
struct ColumnBlocks {
  int64_t count = 1, a_step = 0, b_step = 0;
};

// The same into a dense matrix at the stored entries: dense[i, j] += a[i, :] . b[j, :] (rows ld
// apart), or = with overwrite - a linear layer's weight gradient straight into its gradient buffer.
void sddmm_dense(const Csr& pattern, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t n, float* dense,
                 int64_t ld, bool overwrite, const ColumnBlocks& blocks = {});
void sddmm_reference(const Csr& pattern, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t n,
                     float* out);

}  // namespace sprig
