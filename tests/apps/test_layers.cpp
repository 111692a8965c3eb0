// Layers and whole models built from JSON through the registry.
#include <doctest/doctest.h>

#include "apps/common/layers.h"
#include "nn/linear.h"
#include "nn/summary.h"

using namespace sprig;
using cli::Json;

TEST_CASE("a JSON layer list builds the same LeNet-300-100 as the zoo") {
  Generator gen(0);
  const Json spec = Json::parse(R"([
    {"type": "flatten"},
    {"type": "linear", "in_features": 784, "out_features": 300}, {"type": "activation"},
    {"type": "linear", "in_features": 300, "out_features": 100}, {"type": "activation", "function": "relu"},
    {"type": "linear", "in_features": 100, "out_features": 10}])");
  nn::ModulePtr model = cli::make_sequential(spec, gen);
  CHECK(model->parameter_count() == 266'610);
  CHECK(nn::summarize(*model, {1, 28, 28}).layers.back().output == Shape{10});
}

TEST_CASE("every registered layer type builds from its defaults") {
  Generator gen(0);
  for (const std::string& type : cli::layer_types()) {
    INFO(type);
    CHECK(cli::make_layer(Json{{"type", type}}, gen) != nullptr);
  }
}

TEST_CASE("bad layer specs name what is wrong") {
  Generator gen(0);
  CHECK_THROWS_WITH_AS(cli::make_layer(Json{{"type", "lstm"}}, gen), doctest::Contains("linear"), cli::UsageError);
  CHECK_THROWS_WITH_AS(cli::make_layer(Json{{"type", "linear"}, {"in_feature", 3}}, gen),
                       doctest::Contains("in_feature"), cli::UsageError);
  CHECK_THROWS_AS(cli::make_layer(Json{{"in_features", 3}}, gen), cli::UsageError);
  CHECK_THROWS_AS(cli::make_sequential(Json{{"type", "linear"}}, gen), cli::UsageError);
  CHECK_THROWS_AS(cli::make_layer(Json{{"type", "linear"}, {"in_features", 0}}, gen), Error);
}

TEST_CASE("a small residual network from JSON: conv, batchnorm, basic blocks, global pooling") {
  Generator gen(0);
  const Json spec = Json::parse(R"([
    {"type": "conv2d", "in_channels": 3, "out_channels": 8, "padding": 1, "bias": false},
    {"type": "batchnorm2d", "num_features": 8}, {"type": "activation"},
    {"type": "basic_block", "in_channels": 8, "out_channels": 8},
    {"type": "basic_block", "in_channels": 8, "out_channels": 16, "stride": 2},
    {"type": "global_avgpool2d"},
    {"type": "linear", "in_features": 16, "out_features": 10}])");
  nn::ModulePtr model = cli::make_sequential(spec, gen);
  CHECK(model->parameter("1.weight").value().shape() == Shape{8});
  CHECK(model->parameter("4.shortcut.0.weight").value().shape() == Shape{16, 8, 1, 1});
  CHECK(nn::summarize(*model, {3, 8, 8}).layers.back().output == Shape{10});
  CHECK_THROWS_WITH_AS(cli::make_layer(Json{{"type", "batchnorm2d"}, {"features", 3}}, gen),
                       doctest::Contains("features"), cli::UsageError);
}
