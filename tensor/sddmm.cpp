#include "tensor/sddmm.h"

#include "tensor/simd.h"
#include "tensor/strided.h"

namespace sprig {

namespace {

void check_sddmm_args(const char* op, const Csr& pattern, int64_t lda, const DenseRows& b, int64_t n) {
  SPRIG_CHECK(int64_t(pattern.row_ptr.size()) == pattern.rows + 1 && pattern.row_ptr.back() == pattern.nnz(), op,
              ": inconsistent CSR [", pattern.rows, ", ", pattern.cols, "] (", pattern.row_ptr.size(), " offsets, ",
              pattern.nnz(), " indices)");
  SPRIG_CHECK(n >= 0 && lda >= n && (b.offsets || b.ld >= n), op, ": ", n, " columns with lda=", lda, " and ldb=",
              b.ld, " (both must be at least the column count)");
}

// Where a row's k-th result goes: added to compact out[k] (in the pattern's order), or into a dense
// row at the entry's column, added or written over (a weight gradient straight into its gradient
// buffer, no scatter pass after). add8 takes eight consecutive results: one vector add where they
// are consecutive in memory too (lane by lane, the reduction's extracts cost as much as its sums).
struct Compact {
  float* out;
  bool overwrite;
  void add(int64_t k, int32_t, float v) const { out[k] = overwrite ? v : out[k] + v; }
  void add8(int64_t k, const int32_t*, simd::Vec8 v) const {
    simd::store8(out + k, overwrite ? v : simd::load8(out + k) + v);
  }
};
struct DenseRow {
  float* row;
  bool overwrite;
  void add(int64_t, int32_t col, float v) const { row[col] = overwrite ? v : row[col] + v; }
  void add8(int64_t k, const int32_t* col, simd::Vec8 v) const {
    for (int64_t e = 0; e < 8; ++e) add(k + e, col[e], v[e]);
  }
};

// out.add(k0 + e, a[0, n) . b_e[0, n)) for E rows b_e = b + col[e] * ldb, n >= 16, in 16 partial sums each,
// added in a fixed order (simd::sum16): vectorised without -ffast-math, the same bits on every call
// and for E = 1 or 8. E dot products at once share the loads of a, keep E independent chains in
// flight and share the shuffles of the final sums. The ragged end is one more vector ending at n,
// with the lanes already counted masked off. Column blocks add into the same partial sums.
template <int64_t E, typename Out>
inline void dots(const float* a, const DenseRows& b, const int32_t* col, int64_t n, const ColumnBlocks& blocks,
                 const Out& out, int64_t k0) {
  using namespace simd;
  const float* rows[E];
  for (int64_t e = 0; e < E; ++e) rows[e] = b[col[e]];
  Vec16 acc[E] = {};
  for (int64_t s = 0; s < blocks.count; ++s, a += blocks.a_step) {
    int64_t j = 0;
    for (; j + 16 <= n; j += 16) {
      const Vec16 av = load16(a + j);
      for (int64_t e = 0; e < E; ++e) acc[e] += av * load16(rows[e] + s * blocks.b_step + j);
    }
    if (j < n) {
      const Lane16 lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
      const auto fresh = lane >= int32_t(16 - (n - j));  // lanes not yet counted
      const Vec16 av = load16(a + n - 16);
      for (int64_t e = 0; e < E; ++e) acc[e] += fresh ? av * load16(rows[e] + s * blocks.b_step + n - 16) : Vec16{};
    }
  }
  if constexpr (E == 8) {
    out.add8(k0, col, sum16x8(acc));
  } else {
    for (int64_t e = 0; e < E; ++e) out.add(k0 + e, col[e], sum16(acc[e]));
  }
}

// Fewer than 16 columns: plain loops.
inline float dot_narrow(const float* a, const float* b, int64_t n, const ColumnBlocks& blocks) {
  float total = 0.0f;
  for (int64_t s = 0; s < blocks.count; ++s)
    for (int64_t j = 0; j < n; ++j) total += a[s * blocks.a_step + j] * b[s * blocks.b_step + j];
  return total;
}

// The stored entries of one row: out.add(k, a . b[col[k]]) for k < count.
template <typename Out>
void sddmm_row(const float* a, const DenseRows& b, const int32_t* col, int64_t count, int64_t n,
               const ColumnBlocks& blocks, const Out& out) {
  if (n < 16) {
    for (int64_t k = 0; k < count; ++k) out.add(k, col[k], dot_narrow(a, b[col[k]], n, blocks));
    return;
  }
  int64_t k = 0;
  for (; k + 8 <= count; k += 8) dots<8>(a, b, col + k, n, blocks, out, k);
  for (; k < count; ++k) dots<1>(a, b, col + k, n, blocks, out, k);
}

// Rows split across threads by stored entries; row i's results go to out_of(i).
template <typename OutOf>
void sddmm_rows(const Csr& pattern, const float* a, int64_t lda, const DenseRows& b, int64_t n,
                const ColumnBlocks& blocks, OutOf out_of) {
  const int64_t* p = pattern.row_ptr.data();
  const int32_t* j = pattern.col_idx.data();
  // Below 32k multiply-adds the fork costs more than it saves; inside a parallel region (a
  // convolution's threads each take images) the caller has the threads.
  auto rows = [&](int64_t part, int64_t parts) {
    const auto [begin, end] = csr_row_split(pattern, part, parts);
    for (int64_t i = begin; i < end; ++i)  // a[i, :] against the rows of b its entries name
      sddmm_row(a + i * lda, b, j + p[i], p[i + 1] - p[i], n, blocks, out_of(i));
  };
  detail::parallel_parts(pattern.nnz() * n * blocks.count, rows, int64_t{1} << 15);
}

}  // namespace

void sddmm(const Csr& pattern, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t n, float* out,
           bool overwrite) {
  sddmm(pattern, a, lda, DenseRows{b, ldb}, n, out, overwrite);
}

// pattern: CSR [M, K], a: [M, n], b: [K, n] -> out: [nnz] (+=, or =)
void sddmm(const Csr& pattern, const float* a, int64_t lda, const DenseRows& b, int64_t n, float* out,
           bool overwrite) {
  check_sddmm_args("sddmm", pattern, lda, b, n);
  sddmm_rows(pattern, a, lda, b, n, {}, [&](int64_t i) { return Compact{out + pattern.row_ptr[i], overwrite}; });
}

// pattern: CSR [M, K], a: [M, n], b: [K, n] -> dense: [M, K] rows ld apart (+= or = at the pattern)
void sddmm_dense(const Csr& pattern, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t n, float* dense,
                 int64_t ld, bool overwrite, const ColumnBlocks& blocks) {
  check_sddmm_args("sddmm_dense", pattern, lda, DenseRows{b, ldb}, n);
  SPRIG_CHECK(ld >= pattern.cols && blocks.count >= 1, "sddmm_dense: ld=", ld, " for ", pattern.cols, " columns, ",
              blocks.count, " column blocks");
  sddmm_rows(pattern, a, lda, DenseRows{b, ldb}, n, blocks,
             [&](int64_t i) { return DenseRow{dense + i * ld, overwrite}; });
}

void sddmm_reference(const Csr& pattern, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t n,
                     float* out) {
  check_sddmm_args("sddmm_reference", pattern, lda, DenseRows{b, ldb}, n);
  for (int64_t i = 0; i < pattern.rows; ++i)
    for (int64_t k = pattern.row_ptr[i]; k < pattern.row_ptr[i + 1]; ++k) {
      double acc = out[k];
      for (int64_t col = 0; col < n; ++col) acc += double(a[i * lda + col]) * b[pattern.col_idx[k] * ldb + col];
      out[k] = static_cast<float>(acc);
    }
}

}  // namespace sprig
