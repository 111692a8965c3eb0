#pragma once
// A pruned weight matrix [rows, cols] as the sparse layers use it: its CSR (forward product and
// weight gradient), its transpose (input gradient) and, for a convolution that may run the direct
// path, the weight regrouped by input channel (tensor/sparse_conv.h), all built once per mask. The
// dense weights stay the source of truth: refresh() copies their current values into the CSR,
// O(nnz), before each forward; refresh_transposes() follows before an input gradient (the first
// layer of a network needs none, so it skips the cost). The weight gradient goes back into a dense
// gradient with scatter().
#include <cstdint>
#include <vector>

#include "tensor/csr.h"

namespace sprig {

class SparseWeight {
 public:
  Csr csr;  // [rows, cols]

  SparseWeight() = default;
  // mask: [rows, cols], 0/1; the pattern is its ones. taps > 1 also builds the weight regrouped by
  // input channel (csr_transpose with taps = kh * kw) for the direct convolution path.
  SparseWeight(const float* mask, int64_t rows, int64_t cols, int64_t taps = 1);

  int64_t nnz() const { return csr.nnz(); }
  int64_t taps() const { return taps_; }
  void refresh(const float* dense);  // dense: [rows, cols] -> csr.values
  // refresh() shared by a caller's threads, each running its part of `parts` (csr_row_split's rows).
  void refresh(const float* dense, int64_t part, int64_t parts);
  void refresh_transposes();         // csr.values -> the transpose and the regrouping
  // The transposes stale, as after refresh(), without a gather: how a benchmark times an input
  // gradient's refresh_transposes() apart from the forward's refresh().
  void mark_transposes_stale() { transposes_current_ = false; }

  // Both throw if refresh() ran since the last refresh_transposes().
  const Csr& transposed() const;  // [cols, rows]
  const Csr& regrouped() const;   // [cols / taps, rows * taps]; needs taps > 1

  // dense[i, j] += dvalues[k] for the k-th stored entry (i, j), or = with overwrite; dvalues: [nnz]
  // in csr order.
  void scatter(const float* dvalues, float* dense, bool overwrite) const;

 private:
  int64_t taps_ = 1;
  Csr transposed_, regrouped_;
  std::vector<int64_t> transposed_origin_, regrouped_origin_;  // their entry k is csr entry origin[k]
  bool transposes_current_ = true;
};

}  // namespace sprig
