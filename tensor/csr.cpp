#include "tensor/csr.h"

#include <algorithm>
#include <limits>

#include "tensor/runtime.h"
#include "tensor/strided.h"

namespace sprig {

void Csr::validate(const char* op) const {
  SPRIG_CHECK(rows >= 0 && cols >= 0 && cols <= std::numeric_limits<int32_t>::max(), op, ": CSR shape [", rows, ", ",
              cols, "] is negative or has more columns than 32-bit indices hold");
  SPRIG_CHECK(int64_t(row_ptr.size()) == rows + 1, op, ": CSR [", rows, ", ", cols, "] has ", row_ptr.size(),
              " row offsets, expected ", rows + 1);
  SPRIG_CHECK(values.size() == col_idx.size(), op, ": CSR has ", col_idx.size(), " column indices but ",
              values.size(), " values");
  SPRIG_CHECK(row_ptr.front() == 0 && row_ptr.back() == nnz(), op, ": CSR row offsets run from ", row_ptr.front(),
              " to ", row_ptr.back(), ", expected 0 to nnz = ", nnz());
  for (int64_t r = 0; r < rows; ++r)
    SPRIG_CHECK(row_ptr[r] <= row_ptr[r + 1], op, ": CSR row offsets decrease at row ", r, " (", row_ptr[r], " > ",
                row_ptr[r + 1], ")");
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = row_ptr[r]; k < row_ptr[r + 1]; ++k) {
      const bool in_range = col_idx[k] >= 0 && col_idx[k] < cols;
      const bool ascending = k == row_ptr[r] || col_idx[k - 1] < col_idx[k];
      SPRIG_CHECK(in_range && ascending, op, ": CSR row ", r, " entry ", k, " has column ", col_idx[k],
                  in_range ? " not above the previous one" : " outside [0, cols)", " (cols = ", cols, ")");
    }
}

// dense, mask: [rows, cols] -> CSR of the entries where mask != 0
Csr csr_from_dense(const float* dense, const float* mask, int64_t rows, int64_t cols) {
  SPRIG_CHECK(rows >= 0 && cols >= 0 && cols <= std::numeric_limits<int32_t>::max(), "csr_from_dense: shape [",
              rows, ", ", cols, "] is negative or has more columns than 32-bit indices hold");
  Csr a;
  a.rows = rows, a.cols = cols;
  a.row_ptr.assign(rows + 1, 0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* m = mask + r * cols;  // this row of the mask
    const float* d = dense + r * cols;
    for (int64_t c = 0; c < cols; ++c) {
      if (m[c] == 0.0f) continue;
      a.col_idx.push_back(static_cast<int32_t>(c));
      a.values.push_back(d[c]);
    }
    a.row_ptr[r + 1] = a.nnz();  // this row ends here
  }
  return a;
}

Csr csr_from_dense(const Tensor& dense, const Tensor& mask) {
  SPRIG_CHECK(dense.dim() == 2 && mask.shape() == dense.shape(), "csr_from_dense: expected a matrix and a mask of ",
              "its shape, got ", dense.shape(), " and ", mask.shape());
  return csr_from_dense(dense.data(), mask.data(), dense.size(0), dense.size(1));
}

// a -> dense: [rows, cols]
void csr_to_dense(const Csr& a, float* dense) {
  const int64_t* p = a.row_ptr.data();
  const int32_t* j = a.col_idx.data();
  const float* x = a.values.data();
  std::fill(dense, dense + a.rows * a.cols, 0.0f);
  for (int64_t r = 0; r < a.rows; ++r)
    for (int64_t k = p[r]; k < p[r + 1]; ++k) dense[r * a.cols + j[k]] = x[k];
}

Tensor csr_to_dense(const Csr& a) {
  Tensor dense = Tensor::empty({a.rows, a.cols});
  csr_to_dense(a, dense.data());
  return dense;
}

// dense: [rows, cols] -> a.values at a's pattern
void csr_gather(Csr& a, const float* dense) {
  detail::parallel_parts(
      a.nnz(), [&](int64_t part, int64_t parts) { csr_gather(a, dense, part, parts); }, kParallelScatteredFrom);
}

// dense: [rows, cols] -> a.values at the pattern's rows of part `part` of `parts`
void csr_gather(Csr& a, const float* dense, int64_t part, int64_t parts) {
  const int64_t* p = a.row_ptr.data();
  const int32_t* j = a.col_idx.data();
  float* x = a.values.data();
  const auto [begin, end] = csr_row_split(a, part, parts);
  for (int64_t r = begin; r < end; ++r) {
    const float* row = dense + r * a.cols;
    for (int64_t k = p[r]; k < p[r + 1]; ++k) x[k] = row[j[k]];
  }
}

// A counting sort by column group (CSparse's cs_transpose): count each group, offsets by prefix sum,
// then place every entry; walking a's rows in order keeps each new row's columns ascending.
Csr csr_transpose(const Csr& a, std::vector<int64_t>& origin, int64_t taps) {
  a.validate("csr_transpose");
  SPRIG_CHECK(taps >= 1 && a.cols % taps == 0, "csr_transpose: ", a.cols, " columns do not split into groups of ",
              taps);
  SPRIG_CHECK(a.rows * taps <= std::numeric_limits<int32_t>::max(), "csr_transpose: ", a.rows, " rows of ", taps,
              " taps do not fit the transpose's 32-bit column indices");
  const int64_t* p = a.row_ptr.data();
  const int32_t* j = a.col_idx.data();
  Csr at;
  at.rows = a.cols / taps, at.cols = a.rows * taps;
  at.row_ptr.assign(at.rows + 1, 0);
  for (int64_t k = 0; k < a.nnz(); ++k) ++at.row_ptr[j[k] / taps + 1];  // entries per group
  for (int64_t g = 0; g < at.rows; ++g) at.row_ptr[g + 1] += at.row_ptr[g];
  std::vector<int64_t> next(at.row_ptr.begin(), at.row_ptr.end() - 1);  // next free slot per new row
  at.col_idx.resize(a.nnz());
  at.values.resize(a.nnz());
  origin.resize(a.nnz());
  for (int64_t r = 0; r < a.rows; ++r)
    for (int64_t k = p[r]; k < p[r + 1]; ++k) {
      const int64_t slot = next[j[k] / taps]++;
      at.col_idx[slot] = static_cast<int32_t>(r * taps + j[k] % taps);
      at.values[slot] = a.values[k];
      origin[slot] = k;
    }
  return at;
}

// Rows [begin, end) of part `part` of `parts`, cut where the stored entries reach part/parts of nnz:
// threads get equal work however unevenly pruning spread the weights.
std::pair<int64_t, int64_t> csr_row_split(const Csr& a, int64_t part, int64_t parts) {
  auto cut = [&](int64_t q) {
    if (q == parts) return a.rows;
    const int64_t target = a.nnz() * q / parts;  // entries before the cut
    return int64_t(std::lower_bound(a.row_ptr.begin(), a.row_ptr.end() - 1, target) - a.row_ptr.begin());
  };
  return {cut(part), cut(part + 1)};
}

void csr_gather_from(Csr& at, const Csr& a, const std::vector<int64_t>& origin) {
  SPRIG_CHECK(at.nnz() == a.nnz() && int64_t(origin.size()) == a.nnz(), "csr_gather_from: ", at.nnz(),
              " entries, ", origin.size(), " origins and ", a.nnz(), " source values differ");
  const int64_t n = at.nnz();
  float* values = at.values.data();
  const float* source = a.values.data();
  const int64_t* from = origin.data();
  // Every read is a likely miss, as in csr_gather: threads split the entries from as many on.
  detail::parallel_ranges(
      n, n, [&](int64_t begin, int64_t end) {
        for (int64_t k = begin; k < end; ++k) values[k] = source[from[k]];
      },
      kParallelScatteredFrom);
}

}  // namespace sprig
