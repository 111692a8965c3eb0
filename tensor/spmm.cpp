#include "tensor/spmm.h"

#include <vector>

#include "tensor/simd.h"
#include "tensor/strided.h"

namespace sprig {

namespace {

// Cheap checks every call can afford (validate() walks the whole pattern; the builders run it).
void check_spmm_args(const char* op, const Csr& a, const DenseRows& b, int64_t n, int64_t ldc) {
  SPRIG_CHECK(int64_t(a.row_ptr.size()) == a.rows + 1 && a.values.size() == a.col_idx.size(), op,
              ": inconsistent CSR [", a.rows, ", ", a.cols, "] (", a.row_ptr.size(), " offsets, ", a.col_idx.size(),
              " indices, ", a.values.size(), " values)");
  SPRIG_CHECK(n >= 0 && (b.offsets || b.ld >= n) && ldc >= n, op, ": ", n, " columns with ldb=", b.ld, " and ldc=",
              ldc, " (both must be at least the column count)");
}

// c[0, W) = init + sum_k val[k] * b[col[k], 0, W): W is a constant, so the W / 16 accumulators stay
// in registers and each stored entry costs one broadcast and W / 16 fused multiply-adds.
template <int64_t W>
inline void row_block(const int32_t* col, const float* val, int64_t count, const DenseRows& b, int64_t j0, float init,
                      float* c) {
  using namespace simd;
  constexpr int64_t V = W / 16;
  Vec16 acc[V];
  for (int64_t j = 0; j < V; ++j) acc[j] = splat16(init);
  for (int64_t k = 0; k < count; ++k) {
    const float v = val[k];               // a[i, col[k]]
    const float* row = b[col[k]] + j0;    // the dense row it scales
    for (int64_t j = 0; j < V; ++j) acc[j] += v * load16(row + 16 * j);
  }
  for (int64_t j = 0; j < V; ++j) store16(c + 16 * j, acc[j]);
}

// Fewer than 16 columns in all: a runtime width.
inline void row_narrow(const int32_t* col, const float* val, int64_t count, const DenseRows& b, float init, float* c,
                       int64_t width) {
  for (int64_t j = 0; j < width; ++j) c[j] = init;
  for (int64_t k = 0; k < count; ++k)
    for (int64_t j = 0; j < width; ++j) c[j] += val[k] * b[col[k]][j];
}

// One output row c[0, n) in blocks of 64 columns, then one of 48, 32 or 16. A ragged end is covered
// by one more 16-column block ending at n, overlapping columns already done: it recomputes the same
// sums in the same order, so the second write equals the first.
void spmm_row(const int32_t* col, const float* val, int64_t count, const DenseRows& b, int64_t n, float init,
              float* c) {
  if (n < 16) return row_narrow(col, val, count, b, init, c, n);
  int64_t j = 0;
  for (; j + 64 <= n; j += 64) row_block<64>(col, val, count, b, j, init, c + j);
  switch ((n - j) / 16) {
    case 3: row_block<48>(col, val, count, b, j, init, c + j), j += 48; break;
    case 2: row_block<32>(col, val, count, b, j, init, c + j), j += 32; break;
    case 1: row_block<16>(col, val, count, b, j, init, c + j), j += 16; break;
    default: break;
  }
  if (j < n) row_block<16>(col, val, count, b, n - 16, init, c + n - 16);
}

}  // namespace

void spmm(const Csr& a, const float* b, int64_t ldb, int64_t n, const float* bias, float* c, int64_t ldc) {
  spmm(a, DenseRows{b, ldb}, n, bias, c, ldc);
}

// a: CSR [M, K], b: [K, n], bias: [M] or null -> c: [M, n]
void spmm(const Csr& a, const DenseRows& b, int64_t n, const float* bias, float* c, int64_t ldc) {
  check_spmm_args("spmm", a, b, n, ldc);
  const int64_t* p = a.row_ptr.data();
  const int32_t* j = a.col_idx.data();
  const float* x = a.values.data();
  // Below 32k multiply-adds the fork costs more than it saves; inside a parallel region (a
  // convolution's threads each take images) the caller has the threads.
  auto rows = [&](int64_t part, int64_t parts) {
    const auto [begin, end] = csr_row_split(a, part, parts);
    for (int64_t i = begin; i < end; ++i)
      spmm_row(j + p[i], x + p[i], p[i + 1] - p[i], b, n, bias ? bias[i] : 0.0f, c + i * ldc);
  };
  detail::parallel_parts((a.nnz() + a.rows) * n, rows, int64_t{1} << 15);
}

void spmm_reference(const Csr& a, const float* b, int64_t ldb, int64_t n, const float* bias, float* c, int64_t ldc) {
  check_spmm_args("spmm_reference", a, DenseRows{b, ldb}, n, ldc);
  for (int64_t i = 0; i < a.rows; ++i)
    for (int64_t col = 0; col < n; ++col) {
      double acc = bias ? bias[i] : 0.0;
      for (int64_t k = a.row_ptr[i]; k < a.row_ptr[i + 1]; ++k) acc += double(a.values[k]) * b[a.col_idx[k] * ldb + col];
      c[i * ldc + col] = static_cast<float>(acc);
    }
}

void spmm_transposed_reference(const Csr& a, const float* b, int64_t ldb, int64_t n, float* c, int64_t ldc) {
  check_spmm_args("spmm_transposed_reference", a, DenseRows{b, ldb}, n, ldc);
  std::vector<double> acc(a.cols * n, 0.0);
  for (int64_t i = 0; i < a.rows; ++i)
    for (int64_t k = a.row_ptr[i]; k < a.row_ptr[i + 1]; ++k)
      for (int64_t col = 0; col < n; ++col) acc[a.col_idx[k] * n + col] += double(a.values[k]) * b[i * ldb + col];
  for (int64_t r = 0; r < a.cols; ++r)
    for (int64_t col = 0; col < n; ++col) c[r * ldc + col] = static_cast<float>(acc[r * n + col]);
}

}  // namespace sprig
