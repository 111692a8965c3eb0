#pragma once
// Compressed sparse rows, CSparse's layout: row r stores entries row_ptr[r] .. row_ptr[r+1]-1, at
// columns col_idx[k] (ascending within the row) with values[k]. A pruned weight matrix is a dense
// matrix and a 0/1 mask; its CSR keeps exactly the mask's ones (a kept weight that happens to be 0
// is still stored, so the pattern is the mask's). Kernels on it: tensor/spmm.h, tensor/sddmm.h.
#include <cstdint>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace sprig {

struct Csr {
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> row_ptr{0};  // rows + 1 offsets into col_idx and values
  std::vector<int32_t> col_idx;     // 32-bit: half the index traffic of the kernels' inner loops
  std::vector<float> values;

  int64_t nnz() const { return static_cast<int64_t>(col_idx.size()); }
  // Throws naming `op` unless the arrays are consistent: sizes, offsets from 0 to nnz and never
  // decreasing, columns in range and strictly ascending within each row.
  void validate(const char* op) const;
};

// dense, mask: [rows, cols] -> the entries where mask != 0, with their values.
Csr csr_from_dense(const float* dense, const float* mask, int64_t rows, int64_t cols);
Csr csr_from_dense(const Tensor& dense, const Tensor& mask);  // both [rows, cols]
// a -> dense [rows, cols] (overwritten; zeros outside the pattern).
void csr_to_dense(const Csr& a, float* dense);
Tensor csr_to_dense(const Csr& a);

// Refreshes a's values from a dense matrix of its shape, keeping the pattern: how a layer whose
// weights live in a flat buffer hands the current values to the kernels each step. The second
// refreshes only the rows of part `part` of `parts` (csr_row_split), for a caller's thread.
void csr_gather(Csr& a, const float* dense);
void csr_gather(Csr& a, const float* dense, int64_t part, int64_t parts);

// a [rows, cols] -> a^T [cols, rows]. origin[k] is the index in a.values of the transpose's entry k,
// so csr_gather_from(at, a, origin) refreshes its values without rebuilding the pattern.
// With taps > 1 the columns come in groups of `taps` that move together: a [rows, groups * taps]
// -> t [groups, rows * taps], t[g, r * taps + j] = a[r, g * taps + j] (a convolution's weight
// [Cout, C * kh * kw] regrouped by input channel; taps = 1 is the plain transpose).
Csr csr_transpose(const Csr& a, std::vector<int64_t>& origin, int64_t taps = 1);
void csr_gather_from(Csr& at, const Csr& a, const std::vector<int64_t>& origin);

// The dense operand of the sparse kernels, one row per column of the sparse matrix: row c starts at
// base + c * ld, or at base + offsets[c] (a direct convolution reads shifted windows of one padded
// image: tap (ci, ki, kj) starts at ci * plane + ki * padded_width + kj).
struct DenseRows {
  const float* base;
  int64_t ld = 0;
  const int64_t* offsets = nullptr;
  const float* operator[](int64_t c) const { return offsets ? base + offsets[c] : base + c * ld; }
};

// Rows [begin, end) for part `part` of `parts`, so each part holds about nnz / parts stored entries.
std::pair<int64_t, int64_t> csr_row_split(const Csr& a, int64_t part, int64_t parts);

}  // namespace sprig
