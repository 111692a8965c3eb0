#pragma once
// A pruned weight matrix [rows, cols] as the sparse layers use it: its CSR (forward product and
// weight gradient), its transpose (input gradient) and, for a convolution that may run the direct
// path, the weight regrouped by input channel (tensor/sparse_conv.h), all built once per mask. The
// dense weights stay the source of truth: refresh() copies their current values in, O(nnz), before
// each use, and the weight gradient goes back into a dense gradient with scatter_add().
#include <cstdint>
#include <vector>

#include "tensor/csr.h"

namespace sprig {

struct SparseWeight {
  Csr csr;                      // [rows, cols]
  Csr transposed;               // [cols, rows]
  std::vector<int64_t> origin;  // transposed entry k is csr entry origin[k]
  int64_t taps = 1;             // > 1: regrouped holds csr_transpose(csr, ..., taps)
  Csr regrouped;
  std::vector<int64_t> regrouped_origin;

  SparseWeight() = default;
  // mask: [rows, cols], 0/1; the pattern is its ones. taps > 1 also builds `regrouped`, the
  // weight regrouped by input channel (taps = kh * kw) for the direct convolution path.
  SparseWeight(const float* mask, int64_t rows, int64_t cols, int64_t taps = 1);

  int64_t nnz() const { return csr.nnz(); }
  void refresh(const float* dense);  // dense: [rows, cols]
  // dense[i, j] += dvalues[k] for the k-th stored entry (i, j); dvalues: [nnz] in csr order.
  void scatter_add(const float* dvalues, float* dense) const;
};

}  // namespace sprig
