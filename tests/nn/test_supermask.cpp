// Supermask (nn/supermask.h): scores are the only parameters, the model's weights stay frozen, and
// gradients flow to the scores through any prunable layer, dense or convolutional.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/gradcheck.h"
#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/parameter_set.h"
#include "nn/sequential.h"
#include "nn/supermask.h"
#include "nn/zoo.h"

using namespace sprig;
using namespace sprig::nn;

namespace {

ModulePtr small_mlp(Generator& gen) { return make_model({.name = "mlp_12_8", .classes = 3, .input = {1, 4, 4}}, gen); }

ModulePtr small_cnn(Generator& gen) {
  auto relu = [] { return std::make_shared<Activation>(ActivationOptions{"relu"}); };
  return std::make_shared<Sequential>(
      std::vector<ModulePtr>{std::make_shared<Conv2d>(Conv2dOptions{2, 4, 3, 1, 1}, gen), relu(),
                             std::make_shared<Flatten>(), std::make_shared<Linear>(LinearOptions{4 * 5 * 5, 3}, gen)});
}

}  // namespace

TEST_CASE("Supermask: one score per prunable weight, weights frozen at +-sqrt(2/fan_in), biases zero") {
  Generator gen(1);
  Supermask net(small_mlp(gen), {.k = 30}, gen);
  const auto scores = net.named_parameters();
  REQUIRE(scores.size() == 3);
  CHECK(scores[0].first == "1_weight");
  CHECK(net.scored()[0].name == "1.weight");
  CHECK(net.scored()[0].keep == 16 * 12 - int64_t(std::floor(0.7 * 16 * 12)));
  for (auto& [name, param] : net.model().named_parameters()) {
    CHECK_FALSE(param->variable.requires_grad());
    const float* v = param->value().data();
    for (int64_t i = 0; i < param->value().numel(); ++i) {
      if (!param->prunable)
        CHECK(v[i] == 0.0f);
      else
        CHECK(std::fabs(v[i]) == doctest::Approx(std::sqrt(2.0 / double(param->value().size(1)))));
    }
  }
  CHECK(net.describe() == "30% of 312 weights in 3 layers, signed_constant");
}

TEST_CASE("Supermask: options are checked") {
  Generator gen(2);
  CHECK_THROWS_WITH_AS(Supermask(small_mlp(gen), {.k = 0}, gen), doctest::Contains("(0, 100]"), Error);
  CHECK_THROWS_WITH_AS(Supermask(small_mlp(gen), {.k = 150}, gen), doctest::Contains("but is 150"), Error);
  CHECK_THROWS_WITH_AS(Supermask(small_mlp(gen), {.weight_init = "xavier"}, gen),
                       doctest::Contains("weight_init must be signed_constant, kaiming_normal or model"), Error);
  auto no_weights = std::make_shared<Sequential>(std::vector<ModulePtr>{std::make_shared<Flatten>()});
  CHECK_THROWS_WITH_AS(Supermask(no_weights, {}, gen), doctest::Contains("no prunable weight"), Error);
}

TEST_CASE("Supermask: the gradient with respect to the input is the true one (gradcheck)") {
  Generator gen(3);
  Supermask net(small_cnn(gen), {.k = 60, .weight_init = "kaiming_normal"}, gen);
  Variable input(normal({2, 2, 5, 5}, gen), true);
  const GradcheckResult result = gradcheck_leaves([&] { return net(input); }, {input});
  INFO(result.report);
  CHECK(result.ok);
}

TEST_CASE("Supermask: the model's own weight Variables come back after every forward, even a failed one") {
  Generator gen(4);
  Supermask net(small_mlp(gen), {}, gen);
  Parameter& w = net.model().parameter("1.weight");
  const Variable frozen = w.variable;
  net(Variable(normal({2, 1, 4, 4}, gen)));
  CHECK(w.variable.same_node(frozen));
  CHECK_THROWS_AS(net(Variable(normal({2, 3}, gen))), Error);
  CHECK(w.variable.same_node(frozen));
}
