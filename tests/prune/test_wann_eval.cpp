// WANN evaluation (prune/wann_net.h, prune/wann_eval.h): a hand-built network gives its known
// outputs for each shared weight, the layered sparse evaluator matches the node-by-node reference,
// and scores, the ensemble and the population loop agree with each other.
#include <doctest/doctest.h>

#include <cmath>

#include "prune/wann_eval.h"
#include "tensor/error.h"
#include "tensor/runtime.h"

using namespace sprig;
using namespace sprig::prune;

namespace {

const std::vector<float> kPaperWeights = {-2.0f, -1.0f, -0.5f, 0.5f, 1.0f, 2.0f};

// The four XOR cases as columns: x1, x2 and a bias of 1.
WannBatch xor_batch() {
  return {Tensor::from({3, 4}, {0, 0, 1, 1, /**/ 0, 1, 0, 1, /**/ 1, 1, 1, 1}), {0, 1, 1, 0}};
}

// Inputs 0, 1 (x1, x2), 2 (bias); output 3; hidden 4 = inverse, 5 = abs:
//   n = -(w x2),  h = |w (x1 + n)|,  out = w h.
// With w = 1 that is |x1 - x2|: XOR. For any w: out = w |w x1 - w^2 x2|.
WannGenome xor_genome() {
  return {3, 1, {Activation::inverse, Activation::abs}, {{1, 4, true}, {0, 5, true}, {4, 5, true}, {5, 3, true}}};
}

WannGenome random_genome(uint64_t seed, int64_t inputs = 7, int64_t outputs = 3) {
  Generator gen(seed);
  WannGenome genome = initial_genome(inputs, outputs, 0.4, gen);
  for (int i = 0; i < 80; ++i) mutate(genome, {}, gen);
  return genome;
}

WannBatch random_batch(int64_t inputs, int64_t examples, int64_t classes, uint64_t seed) {
  Generator gen(seed);
  WannBatch batch{uniform({inputs, examples}, gen, 0.0f, 1.0f), {}};
  for (int64_t b = 0; b < examples; ++b) batch.labels.push_back(int32_t(gen.integer(classes)));
  return batch;
}

}  // namespace

TEST_CASE("wann eval: a hand-built weight-agnostic XOR gives its known outputs for every shared weight") {
  const WannNet net = compile(xor_genome());
  CHECK(net.layers.size() == 3);  // inverse, then abs, then the output
  CHECK(net.connections == 4);
  const Tensor out = wann_outputs(net, kPaperWeights, xor_batch());
  CHECK(out.shape() == Shape{6, 1, 4});
  const float x1[] = {0, 0, 1, 1}, x2[] = {0, 1, 0, 1};
  for (size_t k = 0; k < kPaperWeights.size(); ++k) {
    const float w = kPaperWeights[k];
    for (int64_t b = 0; b < 4; ++b)
      CHECK(out.at({int64_t(k), 0, b}) == doctest::Approx(w * std::fabs(w * x1[b] - w * w * x2[b])));
  }
  for (int64_t b = 0; b < 4; ++b) CHECK(out.at({4, 0, b}) == float(xor_batch().labels[size_t(b)]));  // w = 1: XOR
}

TEST_CASE("wann eval: the layered sparse evaluator matches the node-by-node reference") {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const WannGenome genome = random_genome(seed);
    const WannBatch batch = random_batch(7, 300, 3, seed);  // three tiles, the last ragged
    const Tensor fast = wann_outputs(compile(genome), kPaperWeights, batch);
    const Tensor slow = wann_outputs_reference(genome, kPaperWeights, batch);
    REQUIRE(fast.shape() == slow.shape());
    for (int64_t i = 0; i < fast.numel(); ++i)
      REQUIRE(fast.data()[i] == doctest::Approx(slow.data()[i]).epsilon(1e-4).scale(1.0));
  }
}

TEST_CASE("wann eval: nodes that reach no output are left out; an empty network outputs zeros") {
  // Hidden 3 (tanh) hangs off input 0 and feeds nothing.
  const WannGenome genome{2, 1, {Activation::tanh}, {{0, 2, false}, {0, 3, true}}};
  const WannNet net = compile(genome);
  CHECK(net.rows == 1);
  CHECK(net.connections == 0);
  const Tensor out = wann_outputs(net, {1.0f, 2.0f}, {Tensor::ones({2, 5}), {}});
  for (int64_t i = 0; i < out.numel(); ++i) CHECK(out.data()[i] == 0.0f);
}

TEST_CASE("wann eval: scores, ensemble and the population loop agree") {
  const WannGenome genome = random_genome(11, 7, 4);
  const WannBatch batch = random_batch(7, 200, 4, 2);
  const WannNet net = compile(genome);
  const std::vector<WeightScore> scores = wann_scores(net, kPaperWeights, batch);
  const Tensor out = wann_outputs(net, kPaperWeights, batch);
  double ensemble_correct = 0;
  for (int64_t b = 0; b < batch.size(); ++b) {
    std::vector<double> mean(4, 0.0);
    for (int64_t k = 0; k < 6; ++k) {
      double top = -1e30, total = 0;
      for (int64_t o = 0; o < 4; ++o) top = std::max(top, double(out.at({k, o, b})));
      for (int64_t o = 0; o < 4; ++o) total += std::exp(out.at({k, o, b}) - top);
      for (int64_t o = 0; o < 4; ++o) mean[size_t(o)] += std::exp(out.at({k, o, b}) - top) / total;
    }
    ensemble_correct += std::max_element(mean.begin(), mean.end()) - mean.begin() == batch.labels[size_t(b)];
  }
  CHECK(wann_ensemble_accuracy(net, kPaperWeights, batch) == doctest::Approx(ensemble_correct / 200));
  for (const WeightScore& s : scores) CHECK((s.loss > 0 && s.accuracy >= 0 && s.accuracy <= 1));

  std::vector<WannGenome> population;
  for (uint64_t seed = 20; seed < 30; ++seed) population.push_back(random_genome(seed, 7, 4));
  population.push_back(genome);
  const int threads = num_threads();
  set_num_threads(2);
  const auto two = evaluate_population(population, kPaperWeights, batch);
  set_num_threads(1);
  const auto one = evaluate_population(population, kPaperWeights, batch);
  set_num_threads(threads);
  for (size_t i = 0; i < population.size(); ++i)
    for (size_t k = 0; k < kPaperWeights.size(); ++k) {
      CHECK(two[i][k].loss == one[i][k].loss);  // bit-identical whatever the thread count
      CHECK(two[i][k].accuracy == one[i][k].accuracy);
    }
  CHECK(two.back()[3].loss == scores[3].loss);
}

TEST_CASE("wann eval: an empty weight list, a non-finite weight or mismatched data give clear errors") {
  const WannNet net = compile(xor_genome());
  CHECK_THROWS_WITH_AS(wann_outputs(net, {}, xor_batch()), doctest::Contains("list of shared weights is empty"), Error);
  CHECK_THROWS_WITH_AS(wann_outputs(net, {NAN}, xor_batch()), doctest::Contains("not finite"), Error);
  CHECK_THROWS_WITH_AS(wann_outputs(net, {1.0f}, {Tensor::ones({2, 4}), {}}), doctest::Contains("expected inputs [3, B]"),
                       Error);
  // XOR's labels are 0 and 1, but this network has a single output.
  CHECK_THROWS_WITH_AS(wann_scores(net, {1.0f}, xor_batch()), doctest::Contains("label 1 outside [0, 1)"), Error);
  CHECK_THROWS_WITH_AS(evaluate_population({xor_genome()}, {}, xor_batch()), doctest::Contains("empty"), Error);
}

TEST_CASE("wann eval: overflowing outputs score as capped, wrong answers") {
  // out = w * (w * x) repeated through 40 linear nodes overflows for |w| = 100.
  WannGenome chain{1, 2, {}, {}};
  int64_t from = 0;
  for (int i = 0; i < 40; ++i) {
    chain.hidden.push_back(Activation::linear);
    chain.connections.push_back({from, chain.nodes() - 1, true});
    from = chain.nodes() - 1;
  }
  chain.connections.push_back({from, 1, true});
  const WannBatch batch{Tensor::ones({1, 3}), {0, 0, 0}};
  const std::vector<WeightScore> s = wann_scores(compile(chain), {100.0f, 1.0f}, batch);
  CHECK(s[0].loss == kWannLossCap);
  CHECK(s[0].accuracy == 0.0);
  CHECK(s[1].accuracy == 1.0);  // outputs 1 and 0: label 0 wins
}
