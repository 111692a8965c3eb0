// Optimiser plumbing: the threaded split of a step and option checks.
#include <doctest/doctest.h>

#include <cmath>

#include "nn/linear.h"
#include "nn/parameter_set.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "tensor/runtime.h"

using namespace sprig;

namespace {
// Large enough (40200 entries) for Optimizer::step to split the work across threads, with a
// masked weight so the mask offsets are exercised in every chunk.
struct BigNet {
  Generator gen{11};
  nn::Linear linear{{200, 200, true}, gen};
  nn::ParameterSet set{linear};
  BigNet() {
    Tensor mask = Tensor::ones({200, 200});
    for (int64_t i = 0; i < mask.numel(); i += 5) mask.data()[i] = 0.0f;
    set.set_mask("weight", mask);
  }
  void write_gradients(int step) {
    Generator g(50 + uint64_t(step));
    set.gradients().copy_(normal({set.size()}, g));
  }
};
}  // namespace

// Guards against chunk-boundary mistakes in the threaded step: it must equal one serial kernel call.
TEST_CASE("optimizer: threaded SGD step matches the serial kernel") {
  BigNet net;
  const optim::SgdOptions o{.lr = 0.05, .momentum = 0.9, .nesterov = true, .weight_decay = 1e-3};
  optim::Sgd sgd(net.set, o);
  Tensor p = net.set.values().clone(), buf = Tensor::zeros({net.set.size()});
  for (int step = 0; step < 3; ++step) {
    net.write_gradients(step);
    sgd.step();
    optim::sgd_update(p.data(), net.set.gradients().data(), buf.data(), net.set.masks().data(), p.numel(),
                      float(o.lr), float(o.momentum), float(o.dampening), o.nesterov, float(o.weight_decay),
                      step == 0);
    CHECK(net.set.values().to_vector() == p.to_vector());
    CHECK(sgd.state()[0].second->to_vector() == buf.to_vector());
  }
}

// Guards against chunk-boundary mistakes or per-thread step scalars in the threaded Adam step.
TEST_CASE("optimizer: threaded Adam step matches the serial kernel") {
  BigNet net;
  const optim::AdamOptions o{.lr = 0.01, .weight_decay = 0.01, .decoupled = true};
  optim::Adam adam(net.set, o);
  Tensor p = net.set.values().clone(), m = Tensor::zeros({net.set.size()}), v = Tensor::zeros({net.set.size()});
  for (int step = 1; step <= 3; ++step) {
    net.write_gradients(step);
    adam.step();
    const optim::AdamStep s{float(o.lr), float(o.beta1), float(o.beta2), float(o.eps), float(o.weight_decay),
                            o.decoupled, float(1.0 - std::pow(o.beta1, step)),
                            float(std::sqrt(1.0 - std::pow(o.beta2, step)))};
    optim::adam_update(p.data(), net.set.gradients().data(), m.data(), v.data(), net.set.masks().data(), p.numel(),
                       s);
    CHECK(net.set.values().to_vector() == p.to_vector());
    CHECK(adam.state()[0].second->to_vector() == m.to_vector());
    CHECK(adam.state()[1].second->to_vector() == v.to_vector());
  }
}

// Guards against options torch would reject being accepted silently.
TEST_CASE("optimizer: bad options throw") {
  Generator gen(1);
  nn::Linear linear({3, 2, true}, gen);
  nn::ParameterSet set(linear);
  CHECK_THROWS_AS(optim::Sgd(set, {.lr = -0.1}), Error);
  CHECK_THROWS_AS(optim::Sgd(set, {.lr = NAN}), Error);
  CHECK_THROWS_AS(optim::Sgd(set, {.momentum = -0.9}), Error);
  CHECK_THROWS_AS(optim::Sgd(set, {.nesterov = true}), Error);  // Nesterov without momentum
  CHECK_THROWS_AS(optim::Sgd(set, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}), Error);
  CHECK_THROWS_AS(optim::Sgd(set, {.weight_decay = -1e-4}), Error);
  CHECK_THROWS_AS(optim::Adam(set, {.beta1 = 1.0}), Error);
  CHECK_THROWS_AS(optim::Adam(set, {.beta2 = -0.1}), Error);
  CHECK_THROWS_AS(optim::Adam(set, {.eps = 0.0}), Error);
  CHECK_THROWS_AS(optim::Adam(set, {.weight_decay = -0.01}), Error);
  optim::Sgd sgd(set, {});
  CHECK_THROWS_AS(sgd.set_lr(-1.0), Error);
  CHECK_THROWS_AS(sgd.set_lr(INFINITY), Error);
  CHECK(sgd.state().empty());  // plain SGD keeps no state
}

// Guards against boundary mistakes in the threaded live loop (its per-parameter shares cut at rows,
// its blocks, prefetches and the compact state): on two and three threads it must match the masked
// loop bit for bit. Rows 40-79 are pruned whole, so a cut must step past empty rows.
TEST_CASE("optimizer: threaded live Adam step matches the masked loop") {
  const int threads = num_threads();
  for (int t : {2, 3}) {
    CAPTURE(t);
    set_num_threads(t);
    BigNet masked, live;  // 32,200 live entries, then 24,200 with the empty rows
    Tensor mask = masked.set.masks().slice(0, 200 * 200).clone().reshape({200, 200});
    for (int64_t i = 40 * 200; i < 80 * 200; ++i) mask.data()[i] = 0.0f;
    masked.set.set_mask("weight", mask);
    live.set.set_mask("weight", mask);
    const optim::AdamOptions o{.lr = 0.01, .weight_decay = 0.01};
    optim::Adam masked_adam(masked.set, o), live_adam(live.set, o);
    masked_adam.set_path(optim::Optimizer::Path::masked);
    live_adam.set_path(optim::Optimizer::Path::live);
    for (int step = 1; step <= 3; ++step) {
      masked.write_gradients(step);
      live.write_gradients(step);
      masked_adam.step();
      live_adam.step();
      CHECK(live_adam.last_step_live());
      CHECK(masked.set.values().to_vector() == live.set.values().to_vector());
    }
    for (size_t k = 0; k < 2; ++k)
      CHECK(masked_adam.state()[k].second->to_vector() == live_adam.state()[k].second->to_vector());
  }
  set_num_threads(threads);
}
