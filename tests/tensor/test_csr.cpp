// CSR: built from a dense matrix and a mask, back to dense, transposed, refreshed, validated.
#include <doctest/doctest.h>

#include "tensor/csr.h"
#include "tensor/elementwise.h"
#include "tensor/generator.h"
#include "tensor/runtime.h"
#include "tensor/sparse_weight.h"

using namespace sprig;

namespace {

// A [4, 5] matrix with values 1..20 and a mask whose row 1 and column 3 are empty.
Tensor values_4x5() { return Tensor::arange(1.0f, 21.0f, 1.0f).reshape({4, 5}); }
Tensor mask_4x5() {
  return Tensor::from({4, 5}, {1, 0, 1, 0, 1,   //
                               0, 0, 0, 0, 0,   // an empty row
                               0, 1, 1, 0, 0,   //
                               1, 1, 0, 0, 1});  // column 3 never kept
}

}  // namespace

// Guards against entries out of order, a wrong row count, or pruned entries kept.
TEST_CASE("csr: from dense keeps exactly the mask's entries, row by row") {
  const Csr a = csr_from_dense(values_4x5(), mask_4x5());
  a.validate("test");
  CHECK(a.rows == 4);
  CHECK(a.cols == 5);
  CHECK(a.row_ptr == std::vector<int64_t>{0, 3, 3, 5, 8});
  CHECK(a.col_idx == std::vector<int32_t>{0, 2, 4, 1, 2, 0, 1, 4});
  CHECK(a.values == std::vector<float>{1, 3, 5, 12, 13, 16, 17, 20});
}

// Guards against a kept weight that is 0 being dropped: the pattern must be the mask's.
TEST_CASE("csr: a kept zero is stored") {
  const Csr a = csr_from_dense(Tensor::zeros({2, 2}), Tensor::ones({2, 2}));
  CHECK(a.nnz() == 4);
}

// Guards against to_dense leaving stale values outside the pattern.
TEST_CASE("csr: to dense gives the masked matrix") {
  const Tensor dense = values_4x5(), mask = mask_4x5();
  const Tensor back = csr_to_dense(csr_from_dense(dense, mask));
  for (int64_t i = 0; i < dense.numel(); ++i) CHECK(back.data()[i] == dense.data()[i] * mask.data()[i]);
}

// Guards against density 0 and 1 and a 1x1 matrix needing special cases.
TEST_CASE("csr: empty, full and single-entry matrices round-trip") {
  Generator gen(3);
  for (Shape shape : {Shape{1, 1}, Shape{3, 7}, Shape{0, 4}, Shape{4, 0}}) {
    const Tensor dense = normal(shape, gen);
    for (float keep : {0.0f, 1.0f}) {
      const Csr a = csr_from_dense(dense, Tensor::full(shape, keep));
      a.validate("test");
      CHECK(a.nnz() == (keep != 0.0f ? shape.numel() : 0));
      const Tensor back = csr_to_dense(a);
      for (int64_t i = 0; i < dense.numel(); ++i) CHECK(back.data()[i] == (keep != 0.0f ? dense.data()[i] : 0.0f));
    }
  }
}

// Guards against a transpose with unsorted rows or origins pointing at the wrong values.
TEST_CASE("csr: transpose sorts by column and records where each entry came from") {
  const Csr a = csr_from_dense(values_4x5(), mask_4x5());
  std::vector<int64_t> origin;
  const Csr at = csr_transpose(a, origin);
  at.validate("test");
  CHECK(at.rows == 5);
  CHECK(at.cols == 4);
  CHECK(at.row_ptr == std::vector<int64_t>{0, 2, 4, 6, 6, 8});  // column 3 is an empty row now
  CHECK(at.col_idx == std::vector<int32_t>{0, 3, 2, 3, 0, 2, 0, 3});
  CHECK(at.values == std::vector<float>{1, 16, 12, 17, 3, 13, 5, 20});
  for (int64_t k = 0; k < at.nnz(); ++k) CHECK(at.values[k] == a.values[origin[k]]);
  std::vector<int64_t> back_origin;
  const Csr back = csr_transpose(at, back_origin);
  CHECK(back.row_ptr == a.row_ptr);
  CHECK(back.col_idx == a.col_idx);
  CHECK(back.values == a.values);
}

// Guards against the regrouping a direct convolution's input gradient uses: columns in groups of
// two move together, t[g, r * 2 + j] = a[r, g * 2 + j], rows sorted.
TEST_CASE("csr: transpose with taps regroups column groups") {
  const Tensor dense = Tensor::arange(1.0f, 13.0f, 1.0f).reshape({2, 6});  // [2, 3 groups x 2 taps]
  const Tensor mask = Tensor::from({2, 6}, {1, 1, 0, 1, 1, 0,  //
                                            0, 1, 1, 1, 0, 1});
  const Csr a = csr_from_dense(dense, mask);
  std::vector<int64_t> origin;
  const Csr t = csr_transpose(a, origin, 2);
  t.validate("test");
  CHECK(t.rows == 3);
  CHECK(t.cols == 4);
  CHECK(t.row_ptr == std::vector<int64_t>{0, 3, 6, 8});
  CHECK(t.col_idx == std::vector<int32_t>{0, 1, 3, 1, 2, 3, 0, 3});
  CHECK(t.values == std::vector<float>{1, 2, 8, 4, 9, 10, 5, 12});
  for (int64_t k = 0; k < t.nnz(); ++k) CHECK(t.values[k] == a.values[origin[k]]);
  CHECK_THROWS_AS(csr_transpose(a, origin, 4), Error);  // 6 columns are not groups of 4
}

// Guards against a refresh that rebuilds the pattern or reads the wrong entries: after the dense
// matrix changes, both the CSR and its transpose must show the new values at the old pattern.
TEST_CASE("csr: gather refreshes values from the dense matrix, gather_from the transpose's") {
  Csr a = csr_from_dense(values_4x5(), mask_4x5());
  std::vector<int64_t> origin;
  Csr at = csr_transpose(a, origin);
  const Tensor changed = values_4x5() * Tensor::full({4, 5}, -2.0f);
  csr_gather(a, changed.data());
  csr_gather_from(at, a, origin);
  CHECK(a.values == std::vector<float>{-2, -6, -10, -24, -26, -32, -34, -40});
  CHECK(at.values == std::vector<float>{-2, -32, -24, -34, -6, -26, -10, -40});
}

// Guards against the threaded gather (rows split across threads once a pattern holds
// kParallelScatteredFrom entries) skipping or misplacing rows.
TEST_CASE("csr: a gather on two threads equals building from the dense matrix") {
  Generator gen(4);
  const Tensor dense = normal({200, 300}, gen);
  Tensor mask = Tensor::zeros({200, 300});
  for (int64_t i = 0; i < mask.numel(); i += 7) mask.data()[i] = 1.0f;  // 8,572 entries
  Csr a = csr_from_dense(Tensor::zeros({200, 300}), mask);
  REQUIRE(a.nnz() >= kParallelScatteredFrom);
  const int threads = num_threads();
  set_num_threads(2);
  csr_gather(a, dense.data());
  set_num_threads(threads);
  CHECK(a.values == csr_from_dense(dense, mask).values);
}

// Guards against parts that overlap, leave rows out, or give one thread all the work.
TEST_CASE("csr: row split covers every row once with balanced entries") {
  Tensor mask = Tensor::zeros({100, 10});
  for (int64_t c = 0; c < 10; ++c) mask.at({7, c}) = 1.0f;  // one full row
  for (int64_t r = 50; r < 100; ++r) mask.at({r, r % 10}) = 1.0f;
  const Csr a = csr_from_dense(Tensor::ones({100, 10}), mask);
  for (int64_t parts : {1, 2, 3, 7}) {
    int64_t next = 0;
    for (int64_t part = 0; part < parts; ++part) {
      const auto [begin, end] = csr_row_split(a, part, parts);
      CHECK(begin == next);
      CHECK(end >= begin);
      const int64_t entries = a.row_ptr[end] - a.row_ptr[begin];
      CHECK(entries <= a.nnz() / parts + 10);  // within one row of an equal share
      next = end;
    }
    CHECK(next == a.rows);
  }
}

// Guards against validate() accepting a broken structure (kernels trust what it passes).
TEST_CASE("csr: validate names what is broken") {
  const Csr good = csr_from_dense(values_4x5(), mask_4x5());
  auto broken = [&](auto&& change) {
    Csr a = good;
    change(a);
    return a;
  };
  CHECK_THROWS_WITH_AS(broken([](Csr& a) { a.col_idx[1] = 0; }).validate("t"), doctest::Contains("not above"), Error);
  CHECK_THROWS_WITH_AS(broken([](Csr& a) { a.col_idx[2] = 5; }).validate("t"), doctest::Contains("outside"), Error);
  CHECK_THROWS_WITH_AS(broken([](Csr& a) { a.col_idx[0] = -1; }).validate("t"), doctest::Contains("outside"), Error);
  CHECK_THROWS_WITH_AS(broken([](Csr& a) { a.row_ptr[2] = 6; }).validate("t"), doctest::Contains("decrease"), Error);
  CHECK_THROWS_WITH_AS(broken([](Csr& a) { a.row_ptr.pop_back(); }).validate("t"), doctest::Contains("row offsets"),
                       Error);
  CHECK_THROWS_WITH_AS(broken([](Csr& a) { a.values.pop_back(); }).validate("t"), doctest::Contains("values"), Error);
  CHECK_THROWS_WITH_AS(broken([](Csr& a) { a.row_ptr.back() = 7; }).validate("t"), doctest::Contains("nnz"), Error);
  CHECK_THROWS_AS(csr_from_dense(Tensor::ones({2, 3}), Tensor::ones({3, 2})), Error);
}

// Guards against an input gradient computed with the previous step's weights: after refresh() the
// transposes are stale until refresh_transposes(), and using them throws.
TEST_CASE("sparse weight: transposes follow the CSR values on demand") {
  const Tensor mask = mask_4x5(), dense = values_4x5();
  SparseWeight w(mask.data(), 4, 5, 5);  // one group of five taps: regrouped is [1, 20]
  w.refresh(dense.data());
  CHECK_THROWS_WITH_AS(w.transposed(), doctest::Contains("refresh_transposes"), Error);
  CHECK_THROWS_AS(w.regrouped(), Error);
  w.refresh_transposes();
  CHECK(w.transposed().values == std::vector<float>{1, 16, 12, 17, 3, 13, 5, 20});
  CHECK(w.regrouped().values == std::vector<float>{1, 3, 5, 12, 13, 16, 17, 20});
  Tensor grad = Tensor::zeros({4, 5});
  w.scatter(w.csr.values.data(), grad.data(), false);
  CHECK(grad.to_vector() == (dense * mask).to_vector());
  CHECK_THROWS_AS(SparseWeight(mask.data(), 4, 5).regrouped(), Error);  // built without taps
}
