// The masked-optimiser invariants (optim/optimizer.h): a pruned entry's weight and every state value
// at it stay exactly zero, its gradient never reaches the state, and unpruned entries update exactly
// as if nothing were pruned. Each runs for SGD (momentum, Nesterov, weight decay) and Adam/AdamW,
// on both loops: the masked one over the whole buffer and the live one over the live entries only.
#include <doctest/doctest.h>

#include <functional>
#include <memory>

#include "nn/linear.h"
#include "nn/parameter_set.h"
#include "optim/adam.h"
#include "optim/sgd.h"

using namespace sprig;

namespace {

constexpr float kMaskedGradient = 1e3f;  // deliberately large, so any leak into the state shows

using Path = optim::Optimizer::Path;

struct Config {
  std::string name;
  std::function<std::unique_ptr<optim::Optimizer>(nn::ParameterSet&)> make;
  size_t state_buffers;  // momentum: 1; Adam's two moments: 2
  bool weight_decay;
  Path path = Path::masked;
};

std::vector<Config> configs() {
  auto sgd = [](optim::SgdOptions o) {
    return [o](nn::ParameterSet& p) { return std::make_unique<optim::Sgd>(p, o); };
  };
  auto adam = [](optim::AdamOptions o) {
    return [o](nn::ParameterSet& p) { return std::make_unique<optim::Adam>(p, o); };
  };
  const std::vector<Config> optimizers = {
      {"sgd momentum", sgd({.lr = 0.1, .momentum = 0.9}), 1, false},
      {"sgd nesterov", sgd({.lr = 0.1, .momentum = 0.9, .nesterov = true}), 1, false},
      {"sgd weight decay", sgd({.lr = 0.1, .weight_decay = 0.1}), 0, true},
      {"sgd momentum weight decay", sgd({.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.1}), 1,
       true},
      {"adam", adam({.lr = 0.01}), 2, false},
      {"adam weight decay", adam({.lr = 0.01, .weight_decay = 0.1}), 2, true},
      {"adamw", adam({.lr = 0.01, .weight_decay = 0.1, .decoupled = true}), 2, true},
  };
  std::vector<Config> both;
  for (Path path : {Path::masked, Path::live})
    for (Config c : optimizers) {
      c.name += path == Path::live ? " (live loop)" : " (masked loop)";
      c.make = [make = c.make, path](nn::ParameterSet& p) {
        auto opt = make(p);
        opt->set_path(path);
        return opt;
      };
      c.path = path;
      both.push_back(c);
    }
  return both;
}

// A small layer whose parameters live in a ParameterSet; the same seed gives the same values.
struct Net {
  Generator gen;
  nn::Linear linear;
  nn::ParameterSet set;
  explicit Net(uint64_t seed = 7) : gen(seed), linear({6, 5, true}, gen), set(linear) {}
};

// Prunes every third weight of the [5, 6] matrix (the bias stays dense).
Tensor weight_mask() {
  Tensor mask = Tensor::ones({5, 6});
  for (int64_t i = 1; i < mask.numel(); i += 3) mask.data()[i] = 0.0f;
  return mask;
}

bool masked(const nn::ParameterSet& set, int64_t i) { return set.has_masks() && set.masks().data()[i] == 0.0f; }

// Fresh pseudo-random gradients for `step`; entries masked in `mask_source` get kMaskedGradient.
void write_gradients(nn::ParameterSet& set, const nn::ParameterSet& mask_source, int step) {
  Generator gen(100 + uint64_t(step));
  set.gradients().copy_(normal({set.size()}, gen));
  for (int64_t i = 0; i < set.size(); ++i)
    if (masked(mask_source, i)) set.gradients().data()[i] = kMaskedGradient;
}

// Every weight and every state value at a masked entry is exactly zero.
void check_masked_entries_zero(optim::Optimizer& opt) {
  nn::ParameterSet& set = opt.parameters();
  for (int64_t i = 0; i < set.size(); ++i) {
    if (!masked(set, i)) continue;
    INFO("entry ", i);
    CHECK(set.values().data()[i] == 0.0f);
    for (auto& [name, buffer] : opt.state()) {
      INFO("state ", name);
      CHECK(buffer->data()[i] == 0.0f);
    }
  }
}

}  // namespace

// Guards against an update that moves a pruned weight (e.g. masking the gradient but not the weight).
TEST_CASE("masked: pruned weights are exactly zero after every step") {
  for (const Config& c : configs()) {
    INFO(c.name);
    Net net;
    net.set.set_mask("weight", weight_mask());
    auto opt = c.make(net.set);
    for (int step = 0; step < 5; ++step) {
      write_gradients(net.set, net.set, step);
      opt->step();
      for (int64_t i = 0; i < net.set.size(); ++i)
        if (masked(net.set, i)) CHECK(net.set.values().data()[i] == 0.0f);
    }
  }
}

// Guards against momentum or Adam moments accumulating at pruned entries (they would revive weights).
TEST_CASE("masked: optimiser state is exactly zero at pruned entries") {
  for (const Config& c : configs()) {
    INFO(c.name);
    Net net;
    net.set.set_mask("weight", weight_mask());
    auto opt = c.make(net.set);
    CHECK(opt->state().size() == c.state_buffers);
    for (int step = 0; step < 5; ++step) {
      write_gradients(net.set, net.set, step);
      opt->step();
      check_masked_entries_zero(*opt);
    }
  }
}

// Guards against the decay term of a stale pruned value (weights loaded without apply_masks) moving
// the weight or entering the state. The masked loop zeroes it; the live loop never reads it, so it
// stays as written (apply_masks is the contract there) and the state stays zero.
TEST_CASE("masked: weight decay never moves a pruned weight") {
  for (const Config& c : configs()) {
    if (!c.weight_decay) continue;
    INFO(c.name);
    Net net;
    net.set.set_mask("weight", weight_mask());
    auto opt = c.make(net.set);
    for (int step = 0; step < 3; ++step) {
      for (int64_t i = 0; i < net.set.size(); ++i)
        if (masked(net.set, i)) net.set.values().data()[i] = 7.0f;  // stale value at a pruned entry
      net.set.zero_grad();
      opt->step();
      for (int64_t i = 0; i < net.set.size(); ++i)
        if (masked(net.set, i)) CHECK(net.set.values().data()[i] == (c.path == Path::live ? 7.0f : 0.0f));
      if (c.path == Path::live) net.set.apply_masks();
      check_masked_entries_zero(*opt);
    }
  }
}

// Guards against a pruned entry's gradient leaking into the state: once unpruned, nothing may be left
// there to move the weight.
TEST_CASE("masked: a gradient at a pruned entry never reaches optimiser state") {
  for (const Config& c : configs()) {
    INFO(c.name);
    Net net;
    net.set.set_mask("weight", weight_mask());
    auto opt = c.make(net.set);
    for (int step = 0; step < 3; ++step) {
      write_gradients(net.set, net.set, step);
      opt->step();
    }
    check_masked_entries_zero(*opt);
    const Tensor pruned = net.set.masks().clone();
    net.set.set_mask("weight", Tensor::ones({5, 6}));  // unprune everything
    net.set.zero_grad();
    opt->step();
    for (int64_t i = 0; i < net.set.size(); ++i)
      if (pruned.data()[i] == 0.0f) CHECK(net.set.values().data()[i] == 0.0f);
  }
}

// Guards against momentum built up while dense surviving pruning (iterative pruning sets masks
// mid-run): the next step must clear it, so unpruning later finds nothing to move the weight.
TEST_CASE("masked: pruning mid-run clears the state at newly pruned entries") {
  for (const Config& c : configs()) {
    INFO(c.name);
    Net net;
    auto opt = c.make(net.set);
    for (int step = 0; step < 3; ++step) {
      write_gradients(net.set, net.set, step);
      opt->step();
    }
    net.set.set_mask("weight", weight_mask());
    write_gradients(net.set, net.set, 3);
    opt->step();
    check_masked_entries_zero(*opt);
    const Tensor pruned = net.set.masks().clone();
    net.set.set_mask("weight", Tensor::ones({5, 6}));
    net.set.zero_grad();
    opt->step();
    for (int64_t i = 0; i < net.set.size(); ++i)
      if (pruned.data()[i] == 0.0f) CHECK(net.set.values().data()[i] == 0.0f);
  }
}

// Guards against pruning perturbing the unpruned entries. Against a run whose mask keeps everything
// (the same loop) they must match bit for bit; against a run with no mask at all (a different loop,
// where the compiler may fuse multiply-adds differently) to float rounding.
TEST_CASE("masked: unpruned entries update exactly as in an unmasked run") {
  for (const Config& c : configs()) {
    INFO(c.name);
    Net sparse, kept, dense;
    sparse.set.set_mask("weight", weight_mask());
    kept.set.set_mask("weight", Tensor::ones({5, 6}));
    auto sparse_opt = c.make(sparse.set), kept_opt = c.make(kept.set), dense_opt = c.make(dense.set);
    for (int step = 0; step < 5; ++step) {
      for (Net* net : {&sparse, &kept, &dense}) write_gradients(net->set, sparse.set, step);  // large ones too
      sparse_opt->step();
      kept_opt->step();
      dense_opt->step();
      for (int64_t i = 0; i < sparse.set.size(); ++i) {
        if (masked(sparse.set, i)) continue;
        INFO("step ", step, " entry ", i);
        CHECK(sparse.set.values().data()[i] == kept.set.values().data()[i]);
        CHECK(kept.set.values().data()[i] == doctest::Approx(dense.set.values().data()[i]).epsilon(1e-6));
        for (size_t k = 0; k < c.state_buffers; ++k)
          CHECK(sparse_opt->state()[k].second->data()[i] == kept_opt->state()[k].second->data()[i]);
      }
    }
  }
}

// Guards against set_mask leaving pruned values or gradients behind, or touching other entries.
TEST_CASE("masked: set_mask zeroes the pruned values and gradients only") {
  Net net;
  Generator gen(3);
  net.set.gradients().copy_(normal({net.set.size()}, gen));
  const Tensor values = net.set.values().clone(), gradients = net.set.gradients().clone();
  CHECK_FALSE(net.set.has_masks());
  const Tensor mask = weight_mask();
  net.set.set_mask("weight", mask);
  REQUIRE(net.set.has_masks());
  nn::Parameter& weight = net.linear.parameter("weight");
  CHECK(weight.mask.shares_storage(net.set.masks()));
  CHECK(weight.mask.to_vector() == mask.to_vector());
  CHECK_FALSE(net.linear.parameter("bias").mask.defined());  // never masked: ones in the flat buffer
  for (int64_t i = 0; i < net.set.size(); ++i) {
    INFO("entry ", i);
    const bool pruned = i < mask.numel() && mask.data()[i] == 0.0f;  // the weight comes first
    CHECK(net.set.masks().data()[i] == (pruned ? 0.0f : 1.0f));
    CHECK(net.set.values().data()[i] == (pruned ? 0.0f : values.data()[i]));
    CHECK(net.set.gradients().data()[i] == (pruned ? 0.0f : gradients.data()[i]));
  }
}

// Guards against weights that come back after loading or rewinding (apply_masks must re-zero them).
TEST_CASE("masked: apply_masks zeroes pruned entries and keeps the rest") {
  Net net;
  Generator gen(4);
  const Tensor loaded = normal({net.set.size()}, gen);
  net.set.values().copy_(loaded);
  net.set.apply_masks();  // no masks yet: nothing changes
  CHECK(net.set.values().to_vector() == loaded.to_vector());
  net.set.set_mask("weight", weight_mask());
  net.set.values().copy_(loaded);
  net.set.apply_masks();
  for (int64_t i = 0; i < net.set.size(); ++i)
    CHECK(net.set.values().data()[i] == (masked(net.set, i) ? 0.0f : loaded.data()[i]));
}

// Guards against state surviving a rewind: after reset_state the next step is a first step again.
TEST_CASE("masked: reset_state makes the next step match a fresh optimiser") {
  for (const Config& c : configs()) {
    INFO(c.name);
    Net used, fresh;
    used.set.set_mask("weight", weight_mask());
    fresh.set.set_mask("weight", weight_mask());
    auto used_opt = c.make(used.set);
    for (int step = 0; step < 3; ++step) {
      write_gradients(used.set, used.set, step);
      used_opt->step();
    }
    used_opt->reset_state();
    CHECK(used_opt->steps() == 0);
    for (auto& [name, buffer] : used_opt->state())
      for (float x : buffer->to_vector()) CHECK(x == 0.0f);

    fresh.set.values().copy_(used.set.values());
    auto fresh_opt = c.make(fresh.set);
    write_gradients(used.set, used.set, 9);
    write_gradients(fresh.set, fresh.set, 9);
    used_opt->step();
    fresh_opt->step();
    CHECK(used_opt->steps() == 1);
    CHECK(used.set.values().to_vector() == fresh.set.values().to_vector());
    for (size_t k = 0; k < used_opt->state().size(); ++k)
      CHECK(used_opt->state()[k].second->to_vector() == fresh_opt->state()[k].second->to_vector());
  }
}

// Guards against the two loops drifting apart: at live entries they must agree bit for bit, and
// automatic must pick the live loop only when few entries are live.
TEST_CASE("masked: the live loop updates live entries exactly as the masked loop") {
  for (const Config& c : configs()) {
    if (c.path != Path::masked) continue;
    INFO(c.name);
    Net masked_net, live_net;
    for (Net* net : {&masked_net, &live_net}) net->set.set_mask("weight", weight_mask());
    auto masked_opt = c.make(masked_net.set), live_opt = c.make(live_net.set);
    live_opt->set_path(Path::live);
    for (int step = 0; step < 4; ++step) {
      write_gradients(masked_net.set, masked_net.set, step);
      write_gradients(live_net.set, live_net.set, step);
      masked_opt->step();
      live_opt->step();
      CHECK_FALSE(masked_opt->last_step_live());
      CHECK(live_opt->last_step_live());
      CHECK(masked_net.set.values().to_vector() == live_net.set.values().to_vector());
      for (size_t k = 0; k < c.state_buffers; ++k)
        CHECK(masked_opt->state()[k].second->to_vector() == live_opt->state()[k].second->to_vector());
    }
  }
}

TEST_CASE("masked: automatic takes the live loop below kLiveStepBelow of live entries") {
  Generator gen(21);
  nn::Linear linear({100, 100, false}, gen);
  nn::ParameterSet set(linear);
  optim::Sgd sgd(set, {.lr = 0.1});
  set.zero_grad();
  sgd.step();
  CHECK_FALSE(sgd.last_step_live());  // no masks
  Tensor mask = Tensor::zeros({100, 100});
  const int64_t kept = int64_t(optim::kLiveStepBelow * 0.5 * double(mask.numel()));
  for (int64_t i = 0; i < kept; ++i) mask.data()[i * 7 % mask.numel()] = 1.0f;
  set.set_mask("weight", mask);
  sgd.step();
  CHECK(sgd.last_step_live());
  set.set_mask("weight", Tensor::ones({100, 100}));
  sgd.step();
  CHECK_FALSE(sgd.last_step_live());
}

// Guards against the live loop's compact state drifting from the flat buffers checkpoints read and
// write: state() must show it, and state written into the buffers (a checkpoint load) must be what
// the next live step continues from.
TEST_CASE("masked: the live loop's state round-trips through the flat buffers") {
  for (const Config& c : configs()) {
    if (c.path != Path::live || c.state_buffers == 0) continue;
    INFO(c.name);
    Net live_net, masked_net;
    for (Net* net : {&live_net, &masked_net}) net->set.set_mask("weight", weight_mask());
    auto live_opt = c.make(live_net.set), masked_opt = c.make(masked_net.set);
    masked_opt->set_path(Path::masked);
    for (int step = 0; step < 3; ++step) {
      write_gradients(live_net.set, live_net.set, step);
      live_opt->step();
    }
    masked_net.set.values().copy_(live_net.set.values());  // continue the live run on the masked loop
    for (size_t k = 0; k < c.state_buffers; ++k) masked_opt->state()[k].second->copy_(*live_opt->state()[k].second);
    masked_opt->set_steps(live_opt->steps());
    for (size_t k = 0; k < c.state_buffers; ++k) {  // and write a changed state into the live run's buffers
      Tensor& buffer = *live_opt->state()[k].second;
      for (int64_t i = 0; i < buffer.numel(); ++i) buffer.data()[i] *= 0.5f;
      Tensor& other = *masked_opt->state()[k].second;
      for (int64_t i = 0; i < other.numel(); ++i) other.data()[i] *= 0.5f;
    }
    for (int step = 3; step < 5; ++step) {
      write_gradients(live_net.set, live_net.set, step);
      write_gradients(masked_net.set, masked_net.set, step);
      live_opt->step();
      masked_opt->step();
    }
    CHECK(live_net.set.values().to_vector() == masked_net.set.values().to_vector());
    for (size_t k = 0; k < c.state_buffers; ++k)
      CHECK(live_opt->state()[k].second->to_vector() == masked_opt->state()[k].second->to_vector());
  }
}
