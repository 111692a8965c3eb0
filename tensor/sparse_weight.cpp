#include "tensor/sparse_weight.h"

namespace sprig {

SparseWeight::SparseWeight(const float* mask, int64_t rows, int64_t cols, int64_t taps_)
    : csr(csr_from_dense(mask, mask, rows, cols)), taps(taps_) {
  transposed = csr_transpose(csr, origin);
  if (taps > 1) regrouped = csr_transpose(csr, regrouped_origin, taps);
}

void SparseWeight::refresh(const float* dense) {
  csr_gather(csr, dense);
  csr_gather_from(transposed, csr, origin);
  if (taps > 1) csr_gather_from(regrouped, csr, regrouped_origin);
}

// dvalues: [nnz] -> dense: [rows, cols] (+=)
void SparseWeight::scatter_add(const float* dvalues, float* dense) const {
  const int64_t* p = csr.row_ptr.data();
  const int32_t* j = csr.col_idx.data();
  for (int64_t r = 0; r < csr.rows; ++r) {
    float* row = dense + r * csr.cols;
    for (int64_t k = p[r]; k < p[r + 1]; ++k) row[j[k]] += dvalues[k];
  }
}

}  // namespace sprig
