// A found WANN topology trained with autograd (prune/wann_train.h): the activation op's gradient,
// the model equals the evaluator for a shared weight, and Adam trains it within its connections.
#include <doctest/doctest.h>

#include "autograd/gradcheck.h"
#include "autograd/loss.h"
#include "autograd/reduce.h"
#include "nn/parameter_set.h"
#include "prune/wann_data.h"
#include "prune/wann_train.h"

using namespace sprig;
using namespace sprig::prune;

namespace {

WannGenome random_genome(uint64_t seed) {
  Generator gen(seed);
  WannGenome genome = initial_genome(5, 3, 0.5, gen);  // 4 pixels + bias
  for (int i = 0; i < 40; ++i) mutate(genome, {}, gen);
  return genome;
}

// 2x2 images whose class is the brightest of the first three pixels.
Dataset toy_images(int64_t n, uint64_t seed) {
  Generator gen(seed);
  std::vector<uint8_t> pixels;
  std::vector<int32_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    uint8_t p[4];
    for (uint8_t& v : p) v = uint8_t(gen.integer(256));
    pixels.insert(pixels.end(), p, p + 4);
    labels.push_back(p[0] >= p[1] && p[0] >= p[2] ? 0 : p[1] >= p[2] ? 1 : 2);
  }
  return Dataset(pixels, labels, 1, 2, 2, 3);
}

}  // namespace

TEST_CASE("wann train: wann_activate passes the gradient checker for every activation") {
  std::vector<Activation> all;
  for (int a = 0; a < kActivationCount; ++a) all.push_back(Activation(a));
  Generator gen(4);
  Tensor z = uniform({kActivationCount, 6}, gen, 0.2f, 0.9f);  // away from the kinks at 0
  for (int64_t i = 0; i < z.numel(); i += 2) z.data()[i] = -z.data()[i];
  const GradcheckResult result = gradcheck([&](const std::vector<Variable>& in) { return wann_activate(in[0], all); }, {z});
  CHECK_MESSAGE(result.ok, result.report);
  CHECK_THROWS_WITH_AS(wann_activate(Variable(z), {Activation::relu}), doctest::Contains("expected [1, B]"), Error);
}

TEST_CASE("wann train: the model with a shared weight computes what the evaluator does, with gradients") {
  const WannGenome genome = random_genome(3);
  const WannNet net = compile(genome);
  const Dataset data = toy_images(20, 1);
  const WannBatch batch = wann_batch(data);
  WannModel model(net, WannModel::Weights::shared, -0.5f);
  DataLoader loader(data, {.batch_size = 20, .shuffle = false});
  Batch images;
  loader.start_epoch(0);
  REQUIRE(loader.next(images));
  const Tensor logits = model(Variable(images.images)).value();
  const Tensor expected = wann_outputs(net, {-0.5f}, batch);  // [1, 3, 20]
  for (int64_t b = 0; b < 20; ++b)
    for (int64_t o = 0; o < 3; ++o) CHECK(logits.at({b, o}) == doctest::Approx(expected.at({0, o, b})).epsilon(1e-4));

  nn::Parameter& w = model.parameter("weight");
  w.variable.set_requires_grad(true);
  const Variable x(images.images);
  GradcheckOptions tolerant;
  tolerant.rtol = 3e-2;
  const GradcheckResult result =
      gradcheck_leaves([&] { return cross_entropy(model(x), images.labels); }, {w.variable}, tolerant);
  CHECK_MESSAGE(result.ok, result.report);
}

TEST_CASE("wann train: Adam improves the shared weight and the individual weights, within the connections") {
  Generator gen(2);
  WannGenome genome = initial_genome(5, 3, 1.0, gen);  // every pixel to every output
  genome.connections.erase(genome.connections.begin() + 1);  // one connection absent: 0 -> 4
  const WannNet net = compile(genome);
  const Dataset train = toy_images(600, 2);

  WannModel shared(net, WannModel::Weights::shared, 1.0f);
  const double before = evaluate_wann(shared, train).loss;
  train_wann(shared, train, {.epochs = 2, .batch = 50, .lr = 0.05}, 1);
  CHECK(evaluate_wann(shared, train).loss <= before);

  WannModel individual(net, WannModel::Weights::individual, shared.shared_weight());
  train_wann(individual, train, {.epochs = 5, .batch = 50, .lr = 0.05}, 1);
  CHECK(evaluate_wann(individual, train).accuracy > 0.8);  // a linear rule; a shared weight cannot learn it
  const Tensor& w = individual.parameter("layer0").value();  // [3 outputs, 5 inputs]
  CHECK(w.at({1, 0}) == 0.0f);                               // the absent connection stayed absent
  CHECK(w.at({0, 0}) != shared.shared_weight());
}
