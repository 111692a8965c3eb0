// Zoo models have their published parameter counts and a readable summary.
#include <doctest/doctest.h>

#include "nn/parameter_set.h"
#include "nn/summary.h"
#include "nn/zoo.h"

using namespace sprig;
using namespace sprig::nn;

namespace {
int64_t count(const std::string& name, std::vector<int64_t> input = {1, 28, 28}) {
  Generator gen(0);
  ModelOptions options;
  options.name = name;
  options.input = input;
  return make_model(options, gen)->parameter_count();
}
}  // namespace

TEST_CASE("published parameter counts") {
  CHECK(count("lenet_300_100") == 266'610);  // Frankle & Carbin, with biases
  CHECK(count("lenet5") == 61'706);          // LeCun et al. 1998 with padded first convolution
  CHECK(count("mlp_10") == 784 * 10 + 10 + 10 * 10 + 10);
  CHECK(count("mlp_300_100") == count("lenet_300_100"));
}

TEST_CASE("unknown or malformed model names list the known ones") {
  CHECK_THROWS_WITH_AS(count("resnet9000"), doctest::Contains("lenet_300_100"), Error);
  for (const char* bad : {"mlp_", "mlp_12_", "mlp_0", "mlp_a"}) CHECK_THROWS_AS(count(bad), Error);
  CHECK_THROWS_AS(count("lenet5", {3, 32, 32}), Error);
}

TEST_CASE("same seed, same weights") {
  Generator a(5), b(5);
  ModulePtr m1 = make_model({}, a), m2 = make_model({}, b);
  ParameterSet p1(*m1), p2(*m2);
  CHECK(p1.values().to_vector() == p2.values().to_vector());
}

TEST_CASE("summary lists every layer with output shape, parameters and FLOPs") {
  Generator gen(0);
  ModelOptions options;
  options.name = "lenet5";
  ModulePtr model = make_model(options, gen);
  const ModelSummary s = summarize(*model, {1, 28, 28});
  REQUIRE(s.layers.size() == 12);
  CHECK(s.layers[0].name == "0");
  CHECK(s.layers[0].type == "Conv2d");
  CHECK(s.layers[0].output == Shape{6, 28, 28});
  CHECK(s.layers[0].parameters == 156);
  CHECK(s.layers[0].flops == 2 * 6 * 28 * 28 * 25);
  CHECK(s.layers[6].output == Shape{400});
  CHECK(s.parameters == 61'706);
  const std::string table = s.table();
  CHECK(table.find("total") != std::string::npos);
  CHECK(table.find("61,706") != std::string::npos);
}
