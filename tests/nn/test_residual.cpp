// The ResNet basic block and global average pooling.
#include <doctest/doctest.h>

#include "check_layer.h"
#include "nn/pool.h"
#include "nn/residual.h"
#include "tensor/generator.h"

using namespace sprig;
using namespace sprig::nn;

namespace {
std::vector<std::string> parameter_names(Module& m) {
  std::vector<std::string> names;
  for (auto& [name, param] : m.named_parameters()) names.push_back(name);
  return names;
}
}  // namespace

TEST_CASE("BasicBlock: identity shortcut when the shape stays, projection (conv 1x1 + BN) when it changes") {
  Generator gen(1);
  BasicBlock identity({.in_channels = 4, .out_channels = 4}, gen);
  CHECK(parameter_names(identity) ==
        std::vector<std::string>{"conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias"});
  CHECK(identity(Variable(normal({2, 4, 6, 6}, gen))).shape() == Shape{2, 4, 6, 6});

  BasicBlock projection({.in_channels = 4, .out_channels = 8, .stride = 2}, gen);
  const auto names = parameter_names(projection);
  REQUIRE(names.size() == 9);
  CHECK(names[6] == "shortcut.0.weight");
  CHECK(names[7] == "shortcut.1.weight");
  CHECK(projection.parameter("shortcut.0.weight").value().shape() == Shape{8, 4, 1, 1});
  CHECK(projection(Variable(normal({2, 4, 6, 6}, gen))).shape() == Shape{2, 8, 3, 3});
  CHECK(projection.describe() == "4 -> 8, stride 2, projection");

  // A width change alone also needs the projection.
  BasicBlock wider({.in_channels = 4, .out_channels = 8}, gen);
  CHECK(wider.options().projection());
  CHECK(wider(Variable(normal({1, 4, 5, 5}, gen))).shape() == Shape{1, 8, 5, 5});
}

TEST_CASE("BasicBlock: a narrower inner width (channel pruning) changes only conv1, bn1 and conv2") {
  Generator gen(2);
  BasicBlock block({.in_channels = 8, .out_channels = 8, .mid_channels = 3}, gen);
  CHECK(block.parameter("conv1.weight").value().shape() == Shape{3, 8, 3, 3});
  CHECK(block.parameter("bn1.weight").value().shape() == Shape{3});
  CHECK(block.parameter("conv2.weight").value().shape() == Shape{8, 3, 3, 3});
  CHECK(block(Variable(normal({2, 8, 4, 4}, gen))).shape() == Shape{2, 8, 4, 4});
  CHECK(block.describe() == "8 -> 3 -> 8");
}

TEST_CASE("BasicBlock gradients, training and evaluation, both shortcuts") {
  Generator gen(3);
  const GradcheckOptions options;  // a small step: no ReLU input of these blocks crosses 0 within it
  BasicBlock projection({.in_channels = 2, .out_channels = 3, .stride = 2}, gen);
  test::check_layer(projection, normal({2, 2, 4, 4}, gen), options);
  BasicBlock identity({.in_channels = 2, .out_channels = 2}, gen);
  test::check_layer(identity, normal({2, 2, 3, 3}, gen), options);
  identity.eval();
  test::check_layer(identity, normal({2, 2, 3, 3}, gen), options);
}

TEST_CASE("BasicBlock rejects bad options") {
  Generator gen(4);
  CHECK_THROWS_AS(BasicBlock({.in_channels = 0}, gen), Error);
  CHECK_THROWS_AS(BasicBlock({.stride = 0}, gen), Error);
  CHECK_THROWS_AS(BasicBlock({.mid_channels = -1}, gen), Error);
  BasicBlock block({.in_channels = 4, .out_channels = 4}, gen);
  CHECK_THROWS_AS(block(Variable(Tensor::ones({1, 3, 4, 4}))), Error);
}

TEST_CASE("GlobalAvgPool2d: [N, C, H, W] -> [N, C], the plane means, and its gradient") {
  GlobalAvgPool2d pool;
  const Tensor x = Tensor::arange(2 * 3 * 2 * 2).reshape({2, 3, 2, 2});
  const Tensor y = pool(Variable(x)).value();
  CHECK(y.shape() == Shape{2, 3});
  CHECK(y.at({1, 2}) == doctest::Approx((20 + 21 + 22 + 23) / 4.0));
  Generator gen(5);
  test::check_layer(pool, normal({2, 3, 3, 2}, gen));
  CHECK_THROWS_AS(pool(Variable(Tensor::ones({2, 3}))), Error);
}

TEST_CASE("modules are found by dotted name, parents before children") {
  Generator gen(6);
  BasicBlock block({.in_channels = 2, .out_channels = 4, .stride = 2}, gen);
  std::vector<std::string> names;
  for (auto& [name, module] : block.named_modules()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"", "conv1", "bn1", "conv2", "bn2", "shortcut", "shortcut.0", "shortcut.1"});
  CHECK(block.module("shortcut.1").type_name() == "BatchNorm2d");
  CHECK(&block.module("") == &block);
  CHECK_THROWS_WITH_AS(block.module("shortcut.2"), doctest::Contains("shortcut.1"), Error);
}
