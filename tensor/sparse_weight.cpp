#include "tensor/sparse_weight.h"

namespace sprig {

SparseWeight::SparseWeight(const float* mask, int64_t rows, int64_t cols, int64_t taps)
    : csr(csr_from_dense(mask, mask, rows, cols)), taps_(taps) {
  transposed_ = csr_transpose(csr, transposed_origin_);
  if (taps_ > 1) regrouped_ = csr_transpose(csr, regrouped_origin_, taps_);
}

void SparseWeight::refresh(const float* dense) {
  csr_gather(csr, dense);
  transposes_current_ = false;
}

void SparseWeight::refresh(const float* dense, int64_t part, int64_t parts) {
  csr_gather(csr, dense, part, parts);
  if (part == 0) transposes_current_ = false;  // one writer
}

void SparseWeight::refresh_transposes() {
  if (transposes_current_) return;
  csr_gather_from(transposed_, csr, transposed_origin_);
  if (taps_ > 1) csr_gather_from(regrouped_, csr, regrouped_origin_);
  transposes_current_ = true;
}

const Csr& SparseWeight::transposed() const {
  SPRIG_CHECK(transposes_current_, "SparseWeight: the transpose is stale; call refresh_transposes() after refresh()");
  return transposed_;
}

const Csr& SparseWeight::regrouped() const {
  SPRIG_CHECK(taps_ > 1, "SparseWeight: built without taps, so not regrouped");
  SPRIG_CHECK(transposes_current_, "SparseWeight: the regrouping is stale; call refresh_transposes() after refresh()");
  return regrouped_;
}

// dvalues: [nnz] -> dense: [rows, cols] (+= or =)
void SparseWeight::scatter(const float* dvalues, float* dense, bool overwrite) const {
  const int64_t* p = csr.row_ptr.data();
  const int32_t* j = csr.col_idx.data();
  for (int64_t r = 0; r < csr.rows; ++r) {
    float* row = dense + r * csr.cols;
    for (int64_t k = p[r]; k < p[r + 1]; ++k) row[j[k]] = overwrite ? dvalues[k] : row[j[k]] + dvalues[k];
  }
}

}  // namespace sprig
