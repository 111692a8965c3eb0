// spmm, the transposed product and sddmm against their plain double-precision twins, over a problem
// list (sputnik's habit): each case says what it guards against.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "tensor/csr.h"
#include "tensor/elementwise.h"
#include "tensor/generator.h"
#include "tensor/layout.h"
#include "tensor/reduce.h"
#include "tensor/runtime.h"
#include "tensor/sddmm.h"
#include "tensor/sparse_linear.h"
#include "tensor/simd.h"
#include "tensor/spmm.h"

using namespace sprig;

namespace {

struct SparseCase {
  int64_t rows, cols, n;  // sparse [rows, cols] times dense [cols, n]
  double density;
  const char* why;
};

const SparseCase kCases[] = {
    {1, 1, 1, 1.0, "smallest product: one entry, batch 1"},
    {7, 9, 1, 0.5, "batch 1: one column, the narrow path"},
    {5, 6, 15, 0.5, "15 columns: just under one vector"},
    {5, 6, 16, 0.5, "exactly one vector"},
    {5, 6, 17, 0.5, "one past a vector: the overlapping last block"},
    {9, 8, 47, 0.4, "ragged after a 32-block"},
    {9, 8, 63, 0.4, "ragged after a 48-block"},
    {9, 8, 65, 0.4, "one past a 64-block"},
    {13, 11, 100, 0.0, "density 0: every row empty, outputs are the bias"},
    {13, 11, 33, 1.0, "density 1: every entry stored"},
    {300, 784, 60, 0.1, "LeNet-300-100's first layer, batch 60, density 0.1: threads split rows"},
    {100, 300, 128, 0.02, "LeNet's second layer at batch 128, density 0.02: many empty rows and columns"},
    {16, 144, 1024, 0.1, "a ResNet-20 3x3 layer against one image's columns (n = 32x32 pixels)"},
};

// A 0/1 mask of the given density; row 1 and column 2 are forced empty when they exist, so every
// case has an empty row and an empty column of the sparse matrix.
Tensor random_mask(int64_t rows, int64_t cols, double density, Generator& gen) {
  Tensor mask = Tensor::empty({rows, cols});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const bool forced_empty = (r == 1 && rows > 2) || (c == 2 && cols > 3);
      mask.at({r, c}) = !forced_empty && gen.uniform_double() < density ? 1.0f : 0.0f;
    }
  return mask;
}

// The case's sparse matrix: normal values at random_mask's pattern.
Csr random_csr(const SparseCase& c, Generator& gen) {
  const Tensor values = normal({c.rows, c.cols}, gen);
  return csr_from_dense(values, random_mask(c.rows, c.cols, c.density, gen));
}

// Dense operands with a padded leading dimension (ld = n + 3): kernels must neither read nor write
// the padding, which holds NaN so a read shows and a write is caught by the comparison.
struct Padded {
  int64_t rows, n, ld;
  Tensor data;
  Padded(int64_t r, int64_t cols, Generator& gen) : rows(r), n(cols), ld(cols + 3), data(Tensor::empty({r * (cols + 3)})) {
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < ld; ++j) data.data()[i * ld + j] = j < n ? gen.normal() : NAN;
  }
  float* row(int64_t i) { return data.data() + i * ld; }
};

// Per-entry tolerance: float sums of `terms` products of normals against double sums.
void check_close(const float* got, const float* want, int64_t count, int64_t terms) {
  const float tol = 1e-5f * float(terms + 1);
  for (int64_t i = 0; i < count; ++i) {
    INFO("entry ", i);
    CHECK(std::isfinite(got[i]));
    CHECK(std::abs(got[i] - want[i]) <= tol * (1.0f + std::abs(want[i])));
  }
}

void check_rows_close(Padded& got, Padded& want, int64_t terms) {
  for (int64_t i = 0; i < got.rows; ++i) {
    check_close(got.row(i), want.row(i), got.n, terms);
    for (int64_t j = got.n; j < got.ld; ++j) CHECK(std::isnan(got.row(i)[j]));  // padding untouched
  }
}

}  // namespace

// Guards against wrong sums, skipped or doubled columns at ragged ends, reads of b's padding and
// writes past n: spmm against spmm_reference, with and without bias.
TEST_CASE("sparse kernels: spmm matches the reference") {
  for (const SparseCase& c : kCases) {
    CAPTURE(c.why);
    Generator gen(uint64_t(c.rows * 7919 + c.cols * 31 + c.n));
    const Csr a = random_csr(c, gen);
    Padded b(c.cols, c.n, gen), out(c.rows, c.n, gen), ref(c.rows, c.n, gen);
    const Tensor bias = normal({c.rows}, gen);
    for (const float* bias_data : {static_cast<const float*>(nullptr), bias.data()}) {
      spmm(a, b.data.data(), b.ld, c.n, bias_data, out.data.data(), out.ld);
      spmm_reference(a, b.data.data(), b.ld, c.n, bias_data, ref.data.data(), ref.ld);
      check_rows_close(out, ref, c.cols);
    }
  }
}

// Guards against the input gradient's product: spmm on the transposed CSR must equal a^T b
// computed straight from a.
TEST_CASE("sparse kernels: the transposed product matches the reference") {
  for (const SparseCase& c : kCases) {
    CAPTURE(c.why);
    Generator gen(uint64_t(c.rows * 104729 + c.cols * 17 + c.n));
    const Csr a = random_csr(c, gen);
    std::vector<int64_t> origin;
    const Csr at = csr_transpose(a, origin);
    Padded b(c.rows, c.n, gen), out(c.cols, c.n, gen), ref(c.cols, c.n, gen);
    spmm(at, b.data.data(), b.ld, c.n, nullptr, out.data.data(), out.ld);
    spmm_transposed_reference(a, b.data.data(), b.ld, c.n, ref.data.data(), ref.ld);
    check_rows_close(out, ref, c.rows);
  }
}

// Guards against weight gradients at the wrong entries, ragged-end lanes counted twice, or an
// overwrite where the kernel must accumulate; compact and into a dense matrix.
TEST_CASE("sparse kernels: sddmm matches the reference, accumulates, and overwrites when asked") {
  for (const SparseCase& c : kCases) {
    CAPTURE(c.why);
    Generator gen(uint64_t(c.rows * 15485863 + c.cols * 13 + c.n));
    const Csr pattern = random_csr(c, gen);
    Padded a(c.rows, c.n, gen), b(c.cols, c.n, gen);
    const Tensor start = normal({pattern.nnz()}, gen);
    Tensor out = start.clone(), ref = start.clone();
    sddmm(pattern, a.data.data(), a.ld, b.data.data(), b.ld, c.n, out.data());
    sddmm_reference(pattern, a.data.data(), a.ld, b.data.data(), b.ld, c.n, ref.data());
    check_close(out.data(), ref.data(), pattern.nnz(), c.n);
    // Compact and overwriting: the sums alone.
    Tensor alone = Tensor::zeros({pattern.nnz()}), written = start.clone();
    sddmm_reference(pattern, a.data.data(), a.ld, b.data.data(), b.ld, c.n, alone.data());
    sddmm(pattern, a.data.data(), a.ld, b.data.data(), b.ld, c.n, written.data(), /*overwrite=*/true);
    check_close(written.data(), alone.data(), pattern.nnz(), c.n);
    // Into a dense matrix: the same sums added at the pattern, everything else untouched.
    Csr dots = pattern;
    for (int64_t k = 0; k < dots.nnz(); ++k) dots.values[k] = ref.data()[k] - start.data()[k];
    const Tensor expected = csr_to_dense(dots) + Tensor::full({c.rows, c.cols}, 0.5f);
    Tensor dense = Tensor::full({c.rows, c.cols}, 0.5f);
    sddmm_dense(pattern, a.data.data(), a.ld, b.data.data(), b.ld, c.n, dense.data(), c.cols, false);
    check_close(dense.data(), expected.data(), dense.numel(), c.n);
    // Overwriting (a deferred zero gradient): the sums alone at the pattern, everything else untouched.
    Tensor overwritten = Tensor::full({c.rows, c.cols}, 0.5f);
    for (int64_t i = 0; i < c.rows; ++i)
      for (int64_t k = dots.row_ptr[i]; k < dots.row_ptr[i + 1]; ++k)
        overwritten.data()[i * c.cols + dots.col_idx[k]] = dots.values[k];
    dense = Tensor::full({c.rows, c.cols}, 0.5f);
    sddmm_dense(pattern, a.data.data(), a.ld, b.data.data(), b.ld, c.n, dense.data(), c.cols, true);
    check_close(dense.data(), overwritten.data(), dense.numel(), c.n);
  }
}

// Guards against results that depend on the thread count (kernels must not split a sum): rows are
// independent, so 1 and 2 threads give the same bits.
TEST_CASE("sparse kernels: the same bits on one thread and on two") {
  const SparseCase c = kCases[10];
  Generator gen(5);
  const Csr a = random_csr(c, gen);
  Padded b(c.cols, c.n, gen), dy(c.rows, c.n, gen);
  const int threads = num_threads();
  auto run = [&](int t) {
    set_num_threads(t);
    Tensor y = Tensor::empty({c.rows * c.n}), dw = Tensor::zeros({a.nnz()});
    spmm(a, b.data.data(), b.ld, c.n, nullptr, y.data(), c.n);
    sddmm(a, dy.data.data(), dy.ld, b.data.data(), b.ld, c.n, dw.data());
    return std::make_pair(y.to_vector(), dw.to_vector());
  };
  const auto one = run(1), two = run(2);
  set_num_threads(threads);
  CHECK(one.first == two.first);
  CHECK(one.second == two.second);
}

// Guards against unchecked sizes reaching the loops.
TEST_CASE("sparse kernels: bad leading dimensions are refused") {
  const Csr a = csr_from_dense(Tensor::ones({2, 3}), Tensor::ones({2, 3}));
  float b[12] = {}, c[12] = {}, out[6] = {};
  CHECK_THROWS_AS(spmm(a, b, 2, 4, nullptr, c, 4), Error);
  CHECK_THROWS_AS(spmm(a, b, 4, 4, nullptr, c, 3), Error);
  CHECK_THROWS_AS(sddmm(a, b, 2, c, 4, 4, out), Error);
}

// Guards against an entry's weight gradient depending on whether sddmm summed it in a group of
// eight or alone (groups start at each row's first entry, so results would still repeat, but two
// equal dot products would differ).
TEST_CASE("sparse kernels: eight lane sums at once equal eight single ones, bit for bit") {
  Generator gen(6);
  simd::Vec16 v[8];
  for (auto& vector : v)
    for (int l = 0; l < 16; ++l) vector[l] = gen.normal() * float(1 << (l % 7));  // mixed magnitudes: rounding shows
  const simd::Vec8 together = simd::sum16x8(v);
  for (int e = 0; e < 8; ++e) CHECK(together[e] == simd::sum16(v[e]));
}

// Guards against blocks that lose, repeat or misplace examples, padding that is not zero (it
// would add to the weight gradient), a batch under one vector padded anyway, and a block per
// thread below one vector of examples.
TEST_CASE("sparse kernels: batch_along_rows cuts the batch into zero-padded blocks; batch_along_columns undoes it") {
  const int threads = num_threads();
  Generator gen(9);
  for (int t : {1, 2, 3}) {
    set_num_threads(t);
    for (int64_t N : {1, 15, 16, 17, 31, 32, 60, 100}) {
      CAPTURE(t);
      CAPTURE(N);
      const Tensor m = normal({N, 5}, gen), blocked = batch_along_rows(m);
      const BatchBlocks blocks = batch_blocks(N);
      CHECK(blocks.count == std::clamp<int64_t>(N / 16, 1, t));
      const int64_t most = (N + blocks.count - 1) / blocks.count;  // examples in the largest block
      CHECK(blocks.width == (N < 16 ? N : (most + 15) / 16 * 16));
      REQUIRE(blocked.shape() == Shape{blocks.count, 5, blocks.width});
      for (int64_t b = 0; b < blocks.count; ++b)
        for (int64_t f = 0; f < 5; ++f)
          for (int64_t j = 0; j < blocks.width; ++j)
            CHECK(blocked.at({b, f, j}) == (j < blocks.examples(b) ? m.at({blocks.first(b) + j, f}) : 0.0f));
      CHECK(batch_along_columns(blocked, N).to_vector() == m.to_vector());
    }
  }
  set_num_threads(threads);
  CHECK_THROWS_AS(batch_along_columns(Tensor::zeros({2, 5, 16}), 40), Error);  // 20 examples per block
}

// Guards against blocks that see the wrong examples or weights, a weight or bias gradient that
// misses a block or adds one twice, and an overwrite where the gradient must accumulate: the
// layer's products on 1, 2 and 3 blocks against the plain loops on the whole batch. The weight
// gradient takes both of its ways: each block summed on its own (batch 100 on 2 threads) and rows
// across all blocks (batch 60 on 2 threads, batch 100 on 3).
TEST_CASE("sparse kernels: the linear layer's products on blocks of the batch match the reference") {
  const int threads = num_threads();
  const SparseCase c = kCases[10];  // LeNet-300-100's first layer
  for (int64_t N : {60, 100}) {
    Generator gen{uint64_t(N)};
    const Tensor values = normal({c.rows, c.cols}, gen);
    SparseWeight w(random_mask(c.rows, c.cols, c.density, gen).data(), c.rows, c.cols);
    w.refresh(values.data());  // for the references; the forward refreshes it again
    const Tensor x = normal({N, c.cols}, gen), dy = normal({N, c.rows}, gen), bias = normal({c.rows}, gen);
    // The references, batch along rows: [F, N].
    const Tensor xt_ref = transpose(x), dyt_ref = transpose(dy);
    Tensor y_ref = Tensor::empty({c.rows, N}), dx_ref = Tensor::empty({c.cols, N}), dw_ref = Tensor::zeros({w.nnz()});
    spmm_reference(w.csr, xt_ref.data(), N, N, bias.data(), y_ref.data(), N);
    spmm_transposed_reference(w.csr, dyt_ref.data(), N, N, dx_ref.data(), N);
    sddmm_reference(w.csr, dyt_ref.data(), N, xt_ref.data(), N, N, dw_ref.data());
    Csr dots = w.csr, ones = w.csr;
    std::copy(dw_ref.data(), dw_ref.data() + w.nnz(), dots.values.begin());
    std::fill(ones.values.begin(), ones.values.end(), 1.0f);
    const Tensor start = Tensor::full({c.rows, c.cols}, 0.5f);
    const Tensor added = csr_to_dense(dots) + start, dbias_ref = sum(dy, 0);
    for (int t : {1, 2, 3}) {
      CAPTURE(N);
      CAPTURE(t);
      set_num_threads(t);
      Tensor xt;
      const Tensor y = sparse_linear_forward(w, values.data(), x, bias.data(), xt);
      check_close(transpose(y).data(), y_ref.data(), y.numel(), c.cols);
      w.refresh_transposes();  // the forward refreshed the values
      const Tensor dyt = batch_along_rows(dy);
      check_close(transpose(sparse_linear_input_grad(w, dyt, N)).data(), dx_ref.data(), x.numel(), c.rows);
      Tensor dw = start.clone(), dbias = Tensor::full({c.rows}, NAN);
      sparse_linear_weight_grad(w, dyt, xt, dw.data(), /*overwrite=*/false, dbias.data());
      check_close(dw.data(), added.data(), dw.numel(), N);
      check_close(dbias.data(), dbias_ref.data(), c.rows, N);
      dw = start.clone();
      sparse_linear_weight_grad(w, dyt, xt, dw.data(), /*overwrite=*/true);
      check_close(dw.data(), (csr_to_dense(dots) + start - start * csr_to_dense(ones)).data(), dw.numel(), N);
    }
  }
  set_num_threads(threads);
}
