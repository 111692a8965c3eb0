#include <doctest/doctest.h>

#include "tensor/generator.h"
#include "tensor/tensor.h"

using namespace sprig;

TEST_CASE("creation fills as asked") {
  CHECK(Tensor::zeros({2, 3}).to_vector() == std::vector<float>(6, 0.0f));
  CHECK(Tensor::full({4}, 2.5f).to_vector() == std::vector<float>(4, 2.5f));
  CHECK(Tensor::arange(4).to_vector() == std::vector<float>{0, 1, 2, 3});
  CHECK(Tensor::arange(1.0f, 2.0f, 0.25f).to_vector() == std::vector<float>{1, 1.25f, 1.5f, 1.75f});
  CHECK(Tensor::scalar(3).dim() == 0);
  CHECK(Tensor::scalar(3).item() == 3);
  CHECK(Tensor::empty({0, 5}).numel() == 0);
}

TEST_CASE("storage is 64-byte aligned") {
  for (int64_t n : {1, 3, 17, 1000}) CHECK(reinterpret_cast<uintptr_t>(Tensor::empty({n}).data()) % 64 == 0);
}

TEST_CASE("views share storage; clone does not") {
  Tensor t = Tensor::arange(12).reshape({3, 4});
  Tensor row = t.slice(1, 2);
  CHECK(row.shape() == Shape{1, 4});
  CHECK(row.data()[0] == 4);
  row.data()[0] = 100;
  CHECK(t.at({1, 0}) == 100);
  CHECK(t.reshape({-1}).shape() == Shape{12});
  CHECK(t.reshape({2, -1}).shape() == Shape{2, 6});
  CHECK(t.flatten().shape() == Shape{12});
  CHECK(t.reshape({2, 2, 3}).flatten(1).shape() == Shape{2, 6});
  Tensor v = t.view(4, {2, 2});
  CHECK(v.to_vector() == std::vector<float>{100, 5, 6, 7});
  Tensor c = t.clone();
  c.data()[0] = -1;
  CHECK(t.data()[0] == 0);
  CHECK(!c.shares_storage(t));
}

TEST_CASE("bad shapes and indices throw with the shapes in the message") {
  Tensor t = Tensor::zeros({3, 4});
  CHECK_THROWS_WITH_AS(t.reshape({5, 3}), doctest::Contains("[3, 4]"), Error);
  CHECK_THROWS_AS(t.reshape({-1, -1}), Error);
  CHECK_THROWS_WITH_AS(t.slice(2, 4), doctest::Contains("[3, 4]"), Error);
  CHECK_THROWS_AS(t.at({3, 0}), Error);
  CHECK_THROWS_AS(t.at({0}), Error);
  CHECK_THROWS_AS(t.size(2), Error);
  CHECK(t.size(-1) == 4);
  CHECK_THROWS_AS(t.item(), Error);
  CHECK_THROWS_AS(t.view(10, {1, 4}), Error);
  CHECK_THROWS_AS(Tensor::from({2, 2}, {1, 2, 3}), Error);
  CHECK_THROWS_AS(Tensor::empty({-1}), Error);
}

TEST_CASE("freed storage is reused, not reallocated") {
  { Tensor warm = Tensor::empty({1234}); }
  const int64_t before = storage_system_allocations();
  for (int i = 0; i < 10; ++i) Tensor t = Tensor::empty({1234});
  CHECK(storage_system_allocations() == before);
}

TEST_CASE("generator: same seed, same numbers; moments as expected") {
  Generator a(42), b(42), c(43);
  CHECK(a.next_u64() == b.next_u64());
  CHECK(a.next_u64() != c.next_u64());
  Generator g(7);
  Tensor n = normal({100000}, g, 1.0f, 2.0f);
  double mean = 0, var = 0;
  for (float x : n.to_vector()) mean += x;
  mean /= n.numel();
  for (float x : n.to_vector()) var += (x - mean) * (x - mean);
  var /= n.numel();
  CHECK(mean == doctest::Approx(1.0).epsilon(0.02));
  CHECK(var == doctest::Approx(4.0).epsilon(0.02));
  Tensor u = uniform({100000}, g, -1.0f, 3.0f);
  for (float x : u.to_vector()) REQUIRE((x >= -1.0f && x < 3.0f));
  for (int i = 0; i < 1000; ++i) {
    const int64_t k = g.integer(7);
    REQUIRE((k >= 0 && k < 7));
  }
}

TEST_CASE("generator state round-trips") {
  Generator g(3);
  g.next_u64();
  Generator h(99);
  h.set_state(g.state());
  CHECK(g.normal() == h.normal());
  CHECK(g.uniform() == h.uniform());
}
