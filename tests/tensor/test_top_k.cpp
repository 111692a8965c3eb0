// The top-k magnitude kernel behind magnitude pruning and edge-popup masks, against its sorting twin.
#include <doctest/doctest.h>

#include <numeric>
#include <vector>

#include "tensor/generator.h"
#include "tensor/top_k.h"

using namespace sprig;

namespace {
// Marks `keep` of all n entries with both kernels; returns whether the masks agree.
bool kernels_agree(const Tensor& v, int64_t keep) {
  const int64_t n = v.numel();
  std::vector<int64_t> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
  std::iota(a.begin(), a.end(), 0);
  std::iota(b.begin(), b.end(), 0);
  std::vector<float> ma(static_cast<size_t>(n), 0.0f), mb(static_cast<size_t>(n), 0.0f);
  mark_largest_abs(v.data(), a.data(), n, keep, ma.data());
  mark_largest_abs_reference(v.data(), b.data(), n, keep, mb.data());
  return ma == mb && top_k_abs_mask(v, keep).to_vector() == mb;
}
}  // namespace

TEST_CASE("mark_largest_abs and top_k_abs_mask keep the same entries as a full sort, ties to the lower index") {
  Generator gen(3);
  const Tensor distinct = normal({1000}, gen);
  Tensor ties = Tensor::empty({500});  // few distinct magnitudes, both signs: ties everywhere
  for (int64_t i = 0; i < ties.numel(); ++i) ties.data()[i] = float(gen.integer(7) - 3);
  for (int64_t keep : {0, 1, 17, 250, 499, 500}) {
    CHECK(kernels_agree(distinct.slice(0, 500), keep));
    CHECK(kernels_agree(ties, keep));
  }
  CHECK(kernels_agree(distinct, 1000));
  // Magnitudes that share the radix select's high 16 bits, signed zeros, one value throughout.
  Tensor close = Tensor::empty({300});
  for (int64_t i = 0; i < close.numel(); ++i) close.data()[i] = (i % 2 ? -1.0f : 1.0f) * (1.0f + float(i % 37) * 1e-6f);
  Tensor zeros = Tensor::from({4}, {0.0f, -0.0f, 0.0f, -0.0f});
  for (int64_t keep : {1, 100, 299}) {
    CHECK(kernels_agree(close, keep));
    CHECK(kernels_agree(Tensor::full({50}, -3.0f), keep % 50));
  }
  CHECK(kernels_agree(zeros, 3));
}

TEST_CASE("top_k_abs_mask marks the largest magnitudes whatever their sign") {
  const Tensor v = Tensor::from({2, 3}, {0.1f, -5.0f, 2.0f, -2.0f, 0.0f, 3.0f});
  CHECK(top_k_abs_mask(v, 3).to_vector() == std::vector<float>{0, 1, 1, 0, 0, 1});  // |2| = |-2|: index 2 first
  CHECK(top_k_abs_mask(v, 4).to_vector() == std::vector<float>{0, 1, 1, 1, 0, 1});
  CHECK(top_k_abs_mask(v, 0).to_vector() == std::vector<float>(6, 0.0f));
  CHECK(top_k_abs_mask(v, 3).shape() == Shape{2, 3});
  CHECK_THROWS_WITH_AS(top_k_abs_mask(v, 7), doctest::Contains("cannot keep 7 of 6"), Error);
  CHECK_THROWS_AS(top_k_abs_mask(v, -1), Error);
}
