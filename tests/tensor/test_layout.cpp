#include <doctest/doctest.h>

#include "tensor/elementwise.h"
#include "tensor/generator.h"
#include "tensor/layout.h"

using namespace sprig;

namespace {

// Plain-loop reference: result axis i is a's axis order[i].
Tensor reference_permute(const Tensor& a, const std::vector<int64_t>& order) {
  const int64_t rank = a.dim();
  Shape shape(rank);
  std::vector<int64_t> in_stride(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d) in_stride[d] = in_stride[d + 1] * a.shape()[d + 1];
  for (int64_t i = 0; i < rank; ++i) shape[i] = a.shape()[order[i]];
  Tensor y = Tensor::empty(shape);
  for (int64_t flat = 0; flat < y.numel(); ++flat) {
    int64_t rest = flat, source = 0;
    for (int64_t i = rank - 1; i >= 0; --i) {
      source += (rest % shape[i]) * in_stride[order[i]];
      rest /= shape[i];
    }
    y.data()[flat] = a.data()[source];
  }
  return y;
}

}  // namespace

TEST_CASE("layout: transpose known values") {
  const Tensor a = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor t = transpose(a);
  CHECK(t.shape() == Shape{3, 2});
  CHECK(t.to_vector() == std::vector<float>{1, 4, 2, 5, 3, 6});
  CHECK(transpose(t).to_vector() == a.to_vector());
  CHECK(transpose(a, 0, 0).to_vector() == a.to_vector());
  CHECK(transpose(a.reshape({1, 2, 3}), 0, 2).shape() == Shape{3, 2, 1});
  CHECK_THROWS_WITH_AS(transpose(Tensor::zeros({3})), doctest::Contains("transpose"), Error);
}

TEST_CASE("layout: permute matches a plain-loop reference") {
  Generator gen(7);
  const std::vector<std::pair<Shape, std::vector<int64_t>>> cases = {
      {{2, 3, 4, 5}, {0, 2, 3, 1}},  // NCHW -> NHWC
      {{2, 3, 4, 5}, {0, 3, 1, 2}},  // NHWC -> NCHW
      {{2, 3, 4, 5}, {1, 0, 2, 3}},  // contiguous rows
      {{2, 3, 4, 5}, {3, 2, 1, 0}},  // full reversal: strided gather
      {{2, 3, 4, 5}, {-1, 0, 1, 2}}, // negative axes
      {{5, 1, 7}, {2, 1, 0}},        // size-1 axis
      {{300, 257}, {1, 0}},          // one big matrix: threaded tiles
      {{60, 784}, {1, 0}},           // a sparse Linear's input: whole 8x8 register blocks
      {{13, 19}, {1, 0}},            // ragged edges around one 8x8 block
      {{9, 67, 33}, {0, 2, 1}},      // batched transpose
      {{70, 40, 33}, {2, 0, 1}},     // threaded batches
      {{4}, {0}},
      {{}, {}},
      {{0, 3, 2}, {2, 0, 1}}};
  for (const auto& [shape, order] : cases) {
    CAPTURE(shape);
    const Tensor a = normal(shape, gen);
    std::vector<int64_t> positive = order;
    for (int64_t& axis : positive) axis = axis < 0 ? axis + a.dim() : axis;
    const Tensor y = permute(a, order);
    const Tensor expected = reference_permute(a, positive);
    REQUIRE(y.shape() == expected.shape());
    CHECK(max_abs_diff(y, expected) == 0.0f);
  }
}

// Guards against transpose_into writing past its rows (the sparse Linear keeps zero padding there)
// or reading past its columns.
TEST_CASE("layout: transpose_into honours both leading dimensions") {
  Generator gen(8);
  const int64_t rows = 13, cols = 21, ldx = 24, ldy = 16;
  const Tensor x = normal({rows * ldx}, gen);
  Tensor y = Tensor::full({cols * ldy}, 7.0f);
  transpose_into(x.data(), rows, cols, ldx, y.data(), ldy);
  for (int64_t c = 0; c < cols; ++c)
    for (int64_t r = 0; r < ldy; ++r) CHECK(y.data()[c * ldy + r] == (r < rows ? x.data()[r * ldx + c] : 7.0f));
  CHECK_THROWS_AS(transpose_into(x.data(), rows, cols, cols - 1, y.data(), ldy), Error);
  transpose_into(x.data(), rows, cols, ldx, y.data(), ldy, /*zero_padding=*/true);
  for (int64_t c = 0; c < cols; ++c)
    for (int64_t r = 0; r < ldy; ++r) CHECK(y.data()[c * ldy + r] == (r < rows ? x.data()[r * ldx + c] : 0.0f));
}

TEST_CASE("layout: permute rejects orders that are not permutations") {
  const Tensor a = Tensor::zeros({2, 3, 4});
  CHECK_THROWS_WITH_AS(permute(a, {0, 1}), doctest::Contains("[2, 3, 4]"), Error);
  CHECK_THROWS_WITH_AS(permute(a, {0, 1, 1}), doctest::Contains("permute: axis 1 appears twice"), Error);
  CHECK_THROWS_WITH_AS(permute(a, {0, 1, 3}), doctest::Contains("permute"), Error);
  CHECK_THROWS_AS(permute(a, {0, 2, -1}), Error);  // -1 is axis 2
}

TEST_CASE("layout: concat along the first axis") {
  const Tensor a = Tensor::from({1, 2}, {1, 2}), b = Tensor::from({2, 2}, {3, 4, 5, 6});
  const Tensor c = concat({a, b, Tensor::zeros({0, 2})});
  CHECK(c.shape() == Shape{3, 2});
  CHECK(c.to_vector() == std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(concat({Tensor::from({2}, {7, 8})}).to_vector() == std::vector<float>{7, 8});
  CHECK(concat({b.slice(1, 2), a}).to_vector() == std::vector<float>{5, 6, 1, 2});  // views are fine
  CHECK_THROWS_WITH_AS(concat({a, Tensor::zeros({1, 3})}), doctest::Contains("concat: shape [1, 3] does not match [1, 2]"),
                       Error);
  CHECK_THROWS_WITH_AS(concat({a, Tensor::zeros({2})}), doctest::Contains("[2]"), Error);
  CHECK_THROWS_WITH_AS(concat({}), doctest::Contains("concat"), Error);
  CHECK_THROWS_WITH_AS(concat({Tensor::scalar(1)}), doctest::Contains("concat"), Error);
}

TEST_CASE("layout: one_hot") {
  const Tensor y = one_hot({2, 0, 1}, 3);
  CHECK(y.shape() == Shape{3, 3});
  CHECK(y.to_vector() == std::vector<float>{0, 0, 1, 1, 0, 0, 0, 1, 0});
  CHECK(one_hot({}, 4).shape() == Shape{0, 4});
  CHECK_THROWS_WITH_AS(one_hot({0, 1, 5}, 3), doctest::Contains("label at index 2 is 5"), Error);
  CHECK_THROWS_WITH_AS(one_hot({-1}, 3), doctest::Contains("label at index 0 is -1"), Error);
}

TEST_CASE("layout: broadcast_to stretches like broadcasting") {
  const Tensor b = Tensor::from({2, 1}, {1, 2});
  CHECK(broadcast_to(b, {2, 3}).to_vector() == std::vector<float>{1, 1, 1, 2, 2, 2});
  CHECK(broadcast_to(Tensor::from({3}, {1, 2, 3}), {2, 3}).to_vector() == std::vector<float>{1, 2, 3, 1, 2, 3});
  CHECK(broadcast_to(Tensor::scalar(5), {2}).to_vector() == std::vector<float>{5, 5});
  Generator gen(8);
  const Tensor c = normal({1, 3, 1, 1}, gen);
  const Tensor big = broadcast_to(c, {64, 3, 11, 13});
  CHECK(max_abs_diff(big, add(Tensor::zeros({64, 3, 11, 13}), c)) == 0.0f);
  CHECK_THROWS_WITH_AS(broadcast_to(b, {3, 3}), doctest::Contains("[2, 1]"), Error);
  CHECK_THROWS_AS(broadcast_to(b, {2}), Error);
}
