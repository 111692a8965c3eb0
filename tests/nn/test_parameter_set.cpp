// ParameterSet: a model's parameters packed into flat value/gradient/mask buffers, each parameter a
// view at its offset.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <utility>

#include "autograd/loss.h"
#include "nn/activation.h"
#include "nn/linear.h"
#include "nn/parameter_set.h"
#include "nn/sequential.h"

using namespace sprig;
using namespace sprig::nn;

namespace {
// Linear(4, 3) -> relu -> Linear(3, 2): parameters 0.weight [3, 4], 0.bias [3], 2.weight [2, 3], 2.bias [2].
std::shared_ptr<Sequential> make_model(uint64_t seed = 5) {
  Generator gen(seed);
  return std::make_shared<Sequential>(std::vector<ModulePtr>{std::make_shared<Linear>(LinearOptions{4, 3}, gen),
                                                             std::make_shared<Activation>(),
                                                             std::make_shared<Linear>(LinearOptions{3, 2}, gen)});
}

// Mean cross-entropy of the model on a fixed batch, backpropagated.
void backward_once(Module& model) {
  Generator gen(9);
  Variable x(normal({5, 4}, gen));
  cross_entropy(model(x), {0, 1, 1, 0, 1}).backward();
}
}  // namespace

// Guards against slots out of named_parameters order, overlapping, or with gaps.
TEST_CASE("parameter set: slots pack the parameters in order") {
  auto model = make_model();
  ParameterSet set(*model);
  const std::vector<std::string> names{"0.weight", "0.bias", "2.weight", "2.bias"};
  const std::vector<int64_t> offsets{0, 12, 15, 21}, numels{12, 3, 6, 2};
  REQUIRE(set.slots().size() == 4);
  for (size_t k = 0; k < 4; ++k) {
    CHECK(set.slots()[k].name == names[k]);
    CHECK(set.slots()[k].offset == offsets[k]);
    CHECK(set.slots()[k].numel == numels[k]);
    CHECK(set.slots()[k].parameter == &model->parameter(names[k]));
  }
  CHECK(set.size() == 23);
  CHECK(set.slot("2.weight").offset == 15);
  CHECK_THROWS_AS(set.slot("1.weight"), Error);
}

// Guards against packing that loses the initial values or leaves a parameter on its own storage.
TEST_CASE("parameter set: values keep their contents and become views of the flat buffer") {
  auto model = make_model(), reference = make_model();
  ParameterSet set(*model);
  for (const auto& s : set.slots()) {
    INFO(s.name);
    const Tensor& value = s.parameter->value();
    CHECK(value.shares_storage(set.values()));
    CHECK(value.data() == set.values().data() + s.offset);
    CHECK(value.shape() == reference->parameter(s.name).value().shape());
    CHECK(value.to_vector() == reference->parameter(s.name).value().to_vector());
  }
}

// Guards against copies: a write through the flat buffer must reach the layer's forward pass.
TEST_CASE("parameter set: writing the flat buffer changes the layer's weight") {
  auto model = make_model(), reference = make_model();
  ParameterSet set(*model);
  set.values().data()[set.slot("2.weight").offset + 4] = 5.0f;  // 2.weight[1, 1]
  CHECK(model->parameter("2.weight").value().at({1, 1}) == 5.0f);
  reference->parameter("2.weight").value().at({1, 1}) = 5.0f;
  Generator gen(2);
  const Variable x(normal({3, 4}, gen));
  CHECK((*model)(x).value().to_vector() == (*reference)(x).value().to_vector());
}

// Guards against backward allocating fresh gradients instead of accumulating into the flat buffer.
TEST_CASE("parameter set: backward accumulates straight into the flat gradient buffer") {
  auto model = make_model(), reference = make_model();
  ParameterSet set(*model);
  backward_once(*model);
  backward_once(*reference);
  for (const auto& s : set.slots()) {
    INFO(s.name);
    const Tensor& grad = s.parameter->variable.grad();
    CHECK(grad.data() == set.gradients().data() + s.offset);
    const std::vector<float> expected = reference->parameter(s.name).variable.grad().to_vector();
    CHECK(set.gradients().view(s.offset, {s.numel}).to_vector() == expected);
  }
  const std::vector<float> once = set.gradients().to_vector();
  backward_once(*model);  // a second pass adds on top
  for (int64_t i = 0; i < set.size(); ++i) CHECK(set.gradients().data()[i] == doctest::Approx(2.0f * once[i]));
}

// Guards against zero_grad missing a parameter or detaching the gradient views.
TEST_CASE("parameter set: zero_grad zeroes every gradient in place") {
  auto model = make_model();
  ParameterSet set(*model);
  backward_once(*model);
  set.zero_grad();
  for (float g : set.gradients().to_vector()) CHECK(g == 0.0f);
  for (const auto& s : set.slots()) {
    CHECK(s.parameter->variable.grad().data() == set.gradients().data() + s.offset);
    for (float g : s.parameter->variable.grad().to_vector()) CHECK(g == 0.0f);
  }
}

// Guards against miscounted sparsity (reports and pruning schedules rely on it).
TEST_CASE("parameter set: live_count and density follow the masks") {
  auto model = make_model();
  ParameterSet set(*model);
  for (const auto& s : set.slots()) {
    CHECK(set.live_count(s) == s.numel);
    CHECK(set.density(s) == 1.0);
  }
  Tensor mask = Tensor::ones({3, 4});
  for (int64_t i : {0, 5, 6, 11}) mask.data()[i] = 0.0f;
  set.set_mask("0.weight", mask);
  CHECK(set.live_count(set.slot("0.weight")) == 8);
  CHECK(set.density(set.slot("0.weight")) == doctest::Approx(8.0 / 12.0));
  CHECK(set.live_count(set.slot("2.weight")) == 6);  // never masked: all live
  CHECK(set.density(set.slot("0.bias")) == 1.0);
}

// Guards against a bad mask being half-applied: it throws and leaves the set as it was.
TEST_CASE("parameter set: bad masks throw and change nothing") {
  auto model = make_model();
  ParameterSet set(*model);
  const std::vector<float> values = set.values().to_vector();
  Tensor half = Tensor::ones({3, 4});
  half.data()[7] = 0.5f;
  Tensor not_a_number = Tensor::ones({3, 4});
  not_a_number.data()[2] = NAN;
  CHECK_THROWS_AS(set.set_mask("0.weight", Tensor::ones({4, 3})), Error);  // transposed shape
  CHECK_THROWS_AS(set.set_mask("0.weight", Tensor::ones({12})), Error);    // right size, wrong shape
  CHECK_THROWS_AS(set.set_mask("0.weight", half), Error);
  CHECK_THROWS_AS(set.set_mask("0.weight", not_a_number), Error);
  CHECK_THROWS_AS(set.set_mask("3.weight", Tensor::ones({3, 4})), Error);
  CHECK_FALSE(set.has_masks());
  CHECK_FALSE(model->parameter("0.weight").mask.defined());
  CHECK(set.values().to_vector() == values);
}

// Guards against a stale live list after pruning again (sparse optimiser steps walk it) and a
// version that does not change when a mask does (layers rebuild their CSR on it).
TEST_CASE("parameter set: live indices and mask versions follow set_mask") {
  auto model = make_model();
  ParameterSet set(*model);
  CHECK(int64_t(set.live_indices().size()) == set.size());  // nothing masked: every entry
  CHECK(set.live_fraction() == 1.0);
  const uint64_t before = set.mask_version();
  Tensor mask = Tensor::ones({2, 3});
  mask.data()[1] = mask.data()[4] = 0.0f;
  set.set_mask("2.weight", mask);  // flat entries 15..20: 16 and 19 pruned
  CHECK(set.mask_version() != before);
  CHECK(model->parameter("2.weight").mask_version == set.mask_version());
  std::vector<int64_t> expected;
  for (int64_t i = 0; i < set.size(); ++i)
    if (i != 16 && i != 19) expected.push_back(i);
  CHECK(set.live_indices() == expected);
  CHECK(set.live_fraction() == doctest::Approx(21.0 / 23.0));
  set.set_mask("2.weight", Tensor::ones({2, 3}));
  CHECK(int64_t(set.live_indices().size()) == set.size());
}

// Guards against zero_grad's deferral leaving a gradient behind for whoever reads the flat buffer:
// at a pruned bias (its layer writes every entry), or anywhere after either kernel ran, with the
// CSR kernels on one thread or, with enough live entries, on two.
TEST_CASE("parameter set: zero_grad clears every gradient when few entries are live") {
  using Case = std::pair<const char*, int64_t>;  // kernel, inputs (400: 4,924 live entries, enough for two threads)
  for (const auto& [kernel, in] : {Case{"sparse", 40}, Case{"sparse", 400}, Case{"dense", 40}, Case{"dense", 400}}) {
    CAPTURE(kernel);
    CAPTURE(in);
    Generator gen(5);
    Sequential model({std::make_shared<Linear>(LinearOptions{in, 160, true, "torch_default", kernel}, gen),
                      std::make_shared<Activation>(),
                      std::make_shared<Linear>(LinearOptions{160, 2, true, "torch_default", kernel}, gen)});
    ParameterSet set(model);
    Tensor sparse = Tensor::zeros({160, in});
    for (int64_t i = 0; i < sparse.numel(); i += 13) sparse.data()[i] = 1.0f;  // 7.7% kept
    set.set_mask("0.weight", sparse);
    Tensor bias_mask = Tensor::ones({160});
    bias_mask.data()[3] = 0.0f;
    set.set_mask("0.bias", bias_mask);
    for (int round = 0; round < 2; ++round) {
      Variable x(normal({7, in}, gen));
      cross_entropy(model(x), {0, 1, 1, 0, 1, 0, 1}).backward();
      CHECK(set.gradients().data()[set.slot("0.bias").offset + 3] != 0.0f);  // the bias's layer wrote it
      set.zero_grad();
      for (float g : set.gradients().to_vector()) CHECK(g == 0.0f);
    }
  }
}

// Guards against the deferred zeroing: a CSR layer that overwrites its weight's gradient after
// zero_grad must leave exactly what a first backward leaves (no stale sums, nothing outside the
// mask), and an access between zero_grad and backward must see zeros, whichever kernel runs.
TEST_CASE("parameter set: after zero_grad a backward leaves the gradient of a first backward") {
  for (const char* kernel : {"sparse", "dense"}) {
    CAPTURE(kernel);
    Generator gen(6);
    Sequential model({std::make_shared<Linear>(LinearOptions{30, 20, true, "torch_default", kernel}, gen),
                      std::make_shared<Activation>(),
                      std::make_shared<Linear>(LinearOptions{20, 2, true, "torch_default", kernel}, gen)});
    ParameterSet set(model);
    Tensor mask = Tensor::zeros({20, 30});
    for (int64_t i = 0; i < mask.numel(); i += 7) mask.data()[i] = 1.0f;
    set.set_mask("0.weight", mask);
    const Variable x(normal({5, 30}, gen));
    auto backward = [&] { cross_entropy(model(x), {0, 1, 1, 0, 1}).backward(); };
    backward();
    const std::vector<float> first = set.gradients().to_vector();
    for (int round = 0; round < 2; ++round) {
      set.zero_grad();
      // Round 0: the CSR layer overwrites the deferred zero. Round 1: a read settles it first, so
      // the layer adds to zeros.
      if (round == 1) CHECK(model.parameter("0.weight").variable.grad().to_vector() == std::vector<float>(600, 0.0f));
      backward();
      CHECK(set.gradients().to_vector() == first);
    }
  }
}
