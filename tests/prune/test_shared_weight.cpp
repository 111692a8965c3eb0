// Shared-weight evaluation (prune/shared_weight.h): every kept weight set to one value, against a
// hand computation on a one-layer model; the scale invariance of ReLU networks without biases; the
// ensemble; restored values; bad input.
#include <doctest/doctest.h>

#include <cmath>

#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/sequential.h"
#include "nn/zoo.h"
#include "prune/shared_weight.h"

using namespace sprig;

namespace {

// Two pixels, two classes: class 0 has the bright first pixel, class 1 the second; one example of
// class 1 is bright in both (a tie under equal weights, broken to class 0 by argmax).
Dataset two_pixels() { return Dataset({255, 0, 0, 255, 255, 255, 0, 255}, {0, 1, 1, 1}, 1, 1, 2, 2); }

// A model and its flat parameters; "linear" is Flatten then one Linear 2 -> 2 (the zoo's MLPs have a hidden layer).
struct Fixture {
  Generator gen{1};
  nn::ModulePtr model;
  nn::ParameterSet parameters;
  explicit Fixture(const std::string& name) : model(make(name, gen)), parameters(*model) {}
  static nn::ModulePtr make(const std::string& name, Generator& gen) {
    if (name != "linear") return nn::make_model({.name = name, .classes = 3, .input = {1, 4, 4}}, gen);
    return std::make_shared<nn::Sequential>(std::vector<nn::ModulePtr>{
        std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(nn::LinearOptions{2, 2}, gen)});
  }
};

}  // namespace

TEST_CASE("shared weight: a one-layer model by hand, masks and signs") {
  Fixture f("linear");
  DataLoader loader(two_pixels(), {.batch_size = 3, .shuffle = false});
  const Tensor before = f.parameters.values().clone();
  // Keep the diagonal: logit c = w * pixel c (pixels in [0, 1]).
  const std::map<std::string, Tensor> masks = {{"1.weight", Tensor::from({2, 2}, {1, 0, 0, 1})}};
  const prune::SharedWeightResult r =
      prune::evaluate_shared_weight(*f.model, f.parameters, masks, {}, loader, {.weights = {1.0, -1.0}});
  REQUIRE(r.per_weight.size() == 2);
  // w = 1: examples 0, 1, 3 right, example 2 tied (argmax takes class 0: wrong). w = -1: all wrong.
  CHECK(r.per_weight[0].accuracy == doctest::Approx(0.75));
  CHECK(r.per_weight[1].accuracy == doctest::Approx(0.0));
  const double l1 = std::log(1 + std::exp(-1.0)), l2 = std::log(2.0);  // confident-right and tied examples
  CHECK(r.per_weight[0].loss == doctest::Approx((3 * l1 + l2) / 4).epsilon(1e-5));
  CHECK(r.mean_accuracy == doctest::Approx(0.375));
  CHECK(r.min_accuracy == 0.0);
  CHECK(r.max_accuracy == 0.75);
  // Averaged probabilities of w = 1 and w = -1 are (1/2, 1/2) everywhere: every argmax is class 0.
  CHECK(r.ensemble.accuracy == doctest::Approx(0.25));
  CHECK(r.ensemble.loss == doctest::Approx(l2).epsilon(1e-5));
  CHECK(std::isnan(r.ensemble.weight));
  // The masks stay; the values are the ones before, under them.
  CHECK(f.parameters.has_masks());
  const Tensor& after = f.parameters.values();
  for (int64_t i = 0; i < after.numel(); ++i) {
    const float m = f.parameters.masks().data()[i];
    CHECK(after.data()[i] == (m != 0.0f ? before.data()[i] : 0.0f));
  }

  // keep_sign: a negative initial sign on the second diagonal entry flips that logit.
  Tensor signs = Tensor::ones({f.parameters.size()});
  signs.data()[f.parameters.slot("1.weight").offset + 3] = -0.3f;
  const prune::SharedWeightResult s = prune::evaluate_shared_weight(*f.model, f.parameters, masks, signs, loader,
                                                                    {.weights = {1.0}, .keep_sign = true});
  CHECK(s.per_weight[0].accuracy == doctest::Approx(0.25));  // class 1 never wins now
}

TEST_CASE("shared weight: a ReLU network without biases gives every positive w the same accuracy") {
  Fixture f("mlp_20_10");
  std::vector<uint8_t> pixels(16 * 30);
  std::vector<int32_t> labels(30);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(f.gen.integer(256));
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = int32_t(f.gen.integer(3));
  DataLoader loader(Dataset(pixels, labels, 1, 4, 4, 3), {.batch_size = 7, .shuffle = false});
  Generator mask_gen(2);
  std::map<std::string, Tensor> masks;
  for (const char* name : {"1.weight", "3.weight", "5.weight"}) {
    const auto& slot = f.parameters.slot(name);
    masks[name] = Tensor::empty(slot.parameter->value().shape());
    for (int64_t i = 0; i < slot.numel; ++i) masks[name].data()[i] = mask_gen.uniform() < 0.5f ? 1.0f : 0.0f;
  }
  const prune::SharedWeightResult r =
      prune::evaluate_shared_weight(*f.model, f.parameters, masks, f.parameters.values().clone(), loader,
                                    {.weights = {0.5, 1.0, 2.0}, .keep_sign = true});
  CHECK(r.per_weight[0].accuracy == r.per_weight[1].accuracy);
  CHECK(r.per_weight[1].accuracy == r.per_weight[2].accuracy);
  CHECK(r.ensemble.accuracy == r.per_weight[0].accuracy);
  CHECK(r.per_weight[0].loss != r.per_weight[2].loss);  // logits scale as w^3
}

TEST_CASE("shared weight: bad input is named") {
  Fixture f("linear");
  DataLoader loader(two_pixels(), {.batch_size = 2, .shuffle = false});
  CHECK_THROWS_WITH_AS(prune::evaluate_shared_weight(*f.model, f.parameters, {}, {}, loader, {.weights = {}}),
                       doctest::Contains("the list of weights is empty"), Error);
  CHECK_THROWS_WITH_AS(prune::evaluate_shared_weight(*f.model, f.parameters, {}, {}, loader, {.weights = {1, NAN}}),
                       doctest::Contains("is not a finite number"), Error);
  CHECK_THROWS_WITH_AS(prune::evaluate_shared_weight(*f.model, f.parameters, {}, {}, loader, {.keep_sign = true}),
                       doctest::Contains("keep_sign needs a snapshot of 6 values, got 0"), Error);
  CHECK_THROWS_WITH_AS(
      prune::evaluate_shared_weight(*f.model, f.parameters, {{"1.weight", Tensor::ones({3})}}, {}, loader, {}),
      doctest::Contains("set_mask: mask [3] for parameter '1.weight'"), Error);
}
