// Magnitude and random pruning (prune/magnitude.h) and rewinding (prune/rewind.h).
#include <doctest/doctest.h>

#include <cmath>

#include "nn/parameter_set.h"
#include "nn/zoo.h"
#include "prune/magnitude.h"
#include "prune/rewind.h"

using namespace sprig;

namespace {

int64_t live(const Tensor& mask) {
  int64_t n = 0;
  for (int64_t i = 0; i < mask.numel(); ++i) n += mask.data()[i] != 0.0f;
  return n;
}

// mlp_20_10 on 16 inputs: prunable 1.weight [20, 16], 3.weight [10, 20], 5.weight [3, 10].
struct Net {
  Generator gen{7};
  nn::ModulePtr model = nn::make_model({.name = "mlp_20_10", .classes = 3, .input = {1, 4, 4}}, gen);
  nn::ParameterSet parameters{*model};
};

prune::PruningOptions rates(double rate, double output_rate = -1) {
  prune::PruningOptions o;
  o.rate = rate;
  o.output_rate = output_rate;
  return o;
}

}  // namespace

TEST_CASE("magnitude: keep_largest keeps the largest magnitudes among live entries, ties by position") {
  const Tensor values = Tensor::from({6}, {0.5f, -3.0f, 1.0f, -1.0f, 2.0f, 9.0f});
  const Tensor mask = Tensor::from({6}, {1, 1, 1, 1, 1, 0});  // 9 is pruned already and stays so
  const Tensor kept = prune::keep_largest(values, mask, 3);
  CHECK(std::vector<float>(kept.data(), kept.data() + 6) == std::vector<float>{0, 1, 1, 0, 1, 0});
  const Tensor tie = prune::keep_largest(values, mask, 2);  // |1| == |-1|: the first wins when one must go
  CHECK(live(tie) == 2);
  CHECK(tie.data()[1] == 1.0f);
  CHECK(tie.data()[4] == 1.0f);
  CHECK_THROWS_WITH_AS(prune::keep_largest(values, mask, 6), doctest::Contains("cannot keep 6 of 5"), Error);
}

TEST_CASE("magnitude: layerwise rates apply to the remaining weights, the output layer at its own rate") {
  Net net;
  const prune::PruningOptions options = rates(0.2, 0.1);
  const auto rates = prune::pruning_rates(net.parameters, options);
  CHECK(rates.size() == 3);
  CHECK(rates.at("5.weight") == 0.1);
  for (int round = 1; round <= 2; ++round) {
    prune::apply(net.parameters, prune::magnitude_masks(net.parameters, options));
    const double hidden = std::pow(0.8, round);
    CHECK(net.parameters.live_count(net.parameters.slot("1.weight")) == std::llround(320 * hidden));
    CHECK(net.parameters.live_count(net.parameters.slot("3.weight")) == std::llround(200 * hidden));
    CHECK(net.parameters.live_count(net.parameters.slot("5.weight")) == (round == 1 ? 27 : 24));  // 30 -3 -2.7→3
  }
  // The survivors are the largest: every pruned |w| is at most every kept |w| in the layer.
  const auto& slot = net.parameters.slot("1.weight");
  float largest_pruned = 0, smallest_kept = INFINITY;
  Tensor original = Net().parameters.slot("1.weight").parameter->value();
  for (int64_t i = 0; i < slot.numel; ++i) {
    const float w = std::fabs(original.data()[i]);
    if (slot.parameter->mask.data()[i] == 0) largest_pruned = std::max(largest_pruned, w);
    else smallest_kept = std::min(smallest_kept, w);
  }
  CHECK(largest_pruned <= smallest_kept);
}

TEST_CASE("magnitude: global scope ranks all chosen layers together, ignored layers stay dense") {
  Net net;
  prune::PruningOptions options = rates(0.5);
  options.scope = "global";
  options.ignore = {"5.weight"};
  const auto masks = prune::magnitude_masks(net.parameters, options);
  CHECK(masks.count("5.weight") == 0);
  CHECK(live(masks.at("1.weight")) + live(masks.at("3.weight")) == 260);  // half of 320 + 200
  options.ignore = {"9.weight"};
  CHECK_THROWS_WITH_AS(prune::pruning_rates(net.parameters, options), doctest::Contains("9.weight"), Error);
  CHECK_THROWS_WITH_AS(prune::pruning_rates(net.parameters, rates(1.0)), doctest::Contains("rate"), Error);
}

TEST_CASE("magnitude: random masks keep each layer's live count at seeded positions") {
  Net net;
  const auto ticket = prune::magnitude_masks(net.parameters, rates(0.7));
  Generator a(3), b(3);
  const auto random_a = prune::random_masks_like(ticket, a), random_b = prune::random_masks_like(ticket, b);
  for (const auto& [name, mask] : ticket) {
    CHECK(live(random_a.at(name)) == live(mask));
    CHECK(std::equal(random_a.at(name).data(), random_a.at(name).data() + mask.numel(), random_b.at(name).data()));
  }
}

TEST_CASE("rewind: rewinding restores the snapshot under the mask, reinit can scale by density") {
  Net net;
  const Tensor theta0 = prune::snapshot(net.parameters);
  prune::apply(net.parameters, prune::magnitude_masks(net.parameters, rates(0.75)));
  net.parameters.values().fill_(5.0f);
  prune::rewind(net.parameters, theta0);
  const auto& slot = net.parameters.slot("1.weight");
  for (int64_t i = 0; i < slot.numel; ++i) {
    const float expected = slot.parameter->mask.data()[i] != 0 ? theta0.data()[slot.offset + i] : 0.0f;
    CHECK(net.parameters.values().data()[slot.offset + i] == expected);
  }
  Net other;
  other.parameters.values().fill_(1.0f);
  prune::reinitialize(net.parameters, other.parameters.values(), true);
  CHECK(slot.parameter->value().data()[0] * slot.parameter->mask.data()[0] ==
        doctest::Approx(slot.parameter->mask.data()[0] * 2.0));  // density 0.25 -> x2
  CHECK(net.parameters.slot("1.bias").parameter->value().data()[0] == 1.0f);  // unmasked: unscaled
  CHECK_THROWS_WITH_AS(prune::rewind(net.parameters, Tensor::zeros({3})), doctest::Contains("snapshot"), Error);
}
