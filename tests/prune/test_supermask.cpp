// Supermask helpers (prune/supermask.h): the learnt masks become ordinary sprig masks under which the
// model alone computes what the Supermask does, on dense and on CSR kernels; the distillation
// objectives and a fit to a target network.
#include <doctest/doctest.h>

#include <cmath>

#include "toy_data.h"
#include "autograd/gradcheck.h"
#include "autograd/loss.h"
#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/masked_weight.h"
#include "nn/sequential.h"
#include "nn/zoo.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "prune/supermask.h"
#include "tensor/elementwise.h"

using namespace sprig;

namespace {

nn::ModulePtr small_cnn(Generator& gen) {
  auto relu = [] { return std::make_shared<nn::Activation>(nn::ActivationOptions{"relu"}); };
  return std::make_shared<nn::Sequential>(std::vector<nn::ModulePtr>{
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions{2, 4, 3, 1, 1}, gen), relu(), std::make_shared<nn::Flatten>(),
      std::make_shared<nn::Linear>(nn::LinearOptions{4 * 5 * 5, 3}, gen)});
}

nn::ModulePtr mlp(const std::string& name, Generator& gen) {
  return nn::make_model({.name = name, .classes = 3, .input = {1, 4, 4}}, gen);
}

using test::toy_dataset;

}  // namespace

TEST_CASE("apply_supermask: the masked model equals the Supermask, on dense and on CSR kernels") {
  for (double k : {50.0, 10.0}) {  // 10%: below the break-even, Linear switches to CSR
    Generator gen(1);
    nn::Supermask net(mlp("mlp_32_16", gen), {.k = k}, gen);
    const Tensor x = normal({5, 1, 4, 4}, gen);
    const Tensor expected = net(Variable(x)).value();
    nn::ParameterSet weights(net.model());
    prune::apply_supermask(net, weights);
    const Tensor masked = net.model()(Variable(x)).value();
    const bool csr = !nn::sparse_kernel_layers(net.model()).empty();
    CHECK(csr == (k < 40));
    if (csr)
      CHECK(max_abs_diff(masked, expected) <= 1e-5f);
    else
      CHECK(max_abs_diff(masked, expected) == 0.0f);  // the same products in the same order
    int64_t kept = 0;
    for (const auto& s : net.scored()) kept += weights.live_count(weights.slot(s.name)) == s.keep;
    CHECK(kept == 3);
  }
}

TEST_CASE("Supermask: SGD with weight decay moves the scores and never the frozen weights") {
  Generator gen(5);
  nn::Supermask net(small_cnn(gen), {.k = 50}, gen);
  nn::ParameterSet scores(net);
  nn::ParameterSet weights(net.model());
  const Tensor weights_before = weights.values().clone(), scores_before = scores.values().clone();
  optim::Sgd sgd(scores, {.lr = 0.5, .momentum = 0.9, .weight_decay = 1e-3});
  const Tensor x = normal({6, 2, 5, 5}, gen);
  const std::vector<int32_t> labels = {0, 1, 2, 0, 1, 2};
  for (int step = 0; step < 3; ++step) {
    sgd.zero_grad();
    cross_entropy(net(Variable(x)), labels).backward();
    sgd.step();
  }
  CHECK(weights.values().to_vector() == weights_before.to_vector());
  CHECK(scores.values().to_vector() != scores_before.to_vector());
  CHECK(weights.gradients().to_vector() == std::vector<float>(size_t(weights.size()), 0.0f));
}

TEST_CASE("distillation_loss: mse and kl by hand, gradients by gradcheck, unknown objective rejected") {
  const Tensor student = Tensor::from({2, 2}, {1.0f, 0.0f, 0.5f, 2.0f});
  const Tensor target = Tensor::from({2, 2}, {0.0f, 0.0f, 0.5f, 1.0f});
  CHECK(prune::distillation_loss(Variable(student), target, "mse").value().item() == doctest::Approx(0.5));
  // Row 1: p = (1/2, 1/2), q = softmax(1, 0). Row 2: p = softmax(0.5, 1), q = softmax(0.5, 2).
  auto kl_row = [](double s0, double s1, double t0, double t1) {
    const double lq0 = s0 - std::log(std::exp(s0) + std::exp(s1)), lq1 = s1 - std::log(std::exp(s0) + std::exp(s1));
    const double lp0 = t0 - std::log(std::exp(t0) + std::exp(t1)), lp1 = t1 - std::log(std::exp(t0) + std::exp(t1));
    return std::exp(lp0) * (lp0 - lq0) + std::exp(lp1) * (lp1 - lq1);
  };
  const double kl = (kl_row(1, 0, 0, 0) + kl_row(0.5, 2, 0.5, 1)) / 2;
  CHECK(prune::distillation_loss(Variable(student), target, "kl").value().item() == doctest::Approx(kl));
  for (const char* objective : {"mse", "kl"}) {
    const GradcheckResult r = gradcheck(
        [&](const std::vector<Variable>& in) { return prune::distillation_loss(in[0], target, objective); }, {student});
    INFO(objective, r.report);
    CHECK(r.ok);
  }
  CHECK_THROWS_WITH_AS(prune::distillation_loss(Variable(student), target, "l1"),
                       doctest::Contains("objective must be mse or kl, not 'l1'"), Error);
  CHECK_THROWS_WITH_AS(prune::distillation_loss(Variable(student), Tensor::zeros({2, 3}), "mse"),
                       doctest::Contains("student logits [2, 2] but target [2, 3]"), Error);
}

TEST_CASE("fit_epoch: edge-popup on a random wider, deeper network brings its logits towards a target's") {
  Generator gen(2);
  nn::ModulePtr target = mlp("mlp_8", gen);
  nn::Supermask student(mlp("mlp_64_64", gen), {.k = 50}, gen);
  nn::ParameterSet scores(student);
  optim::Adam adam(scores, {.lr = 0.05});
  DataLoader train(toy_dataset(200, 3), {.batch_size = 20, .seed = 4});
  DataLoader test(toy_dataset(100, 5), {.batch_size = 50, .shuffle = false});
  const prune::FitStats before = prune::evaluate_fit(student, *target, test, "mse");
  for (int64_t epoch = 0; epoch < 15; ++epoch) prune::fit_epoch(student, *target, adam, train, epoch, "mse");
  const prune::FitStats after = prune::evaluate_fit(student, *target, test, "mse");
  CHECK(after.examples == 100);
  CHECK(after.loss == doctest::Approx(after.mse));  // the objective is the measure here
  CHECK(after.mse < 0.5 * before.mse);
  CHECK(after.agreement > before.agreement);
}
