// The WANN search (prune/wann_rank.h, prune/wann_search.h, prune/wann_data.h): Pareto ranking, a seed
// repeating the search, checkpoints continuing it exactly, and the image helpers.
#include <doctest/doctest.h>

#include <cmath>

#include "prune/wann_data.h"
#include "prune/wann_rank.h"
#include "prune/wann_search.h"
#include "tensor/error.h"

using namespace sprig;
using namespace sprig::prune;

namespace {

// A toy task: 2 classes from 6 inputs (+ bias): is x0 + x1 larger than x2 + x3?
WannBatch toy_batch(int64_t examples, uint64_t seed) {
  Generator gen(seed);
  WannBatch batch{uniform({7, examples}, gen, 0.0f, 1.0f), {}};
  for (int64_t b = 0; b < examples; ++b) {
    batch.inputs.at({6, b}) = 1.0f;
    const float* x = batch.inputs.data();
    batch.labels.push_back(x[b] + x[examples + b] > x[2 * examples + b] + x[3 * examples + b]);
  }
  return batch;
}

WannSearchOptions toy_options() {
  WannSearchOptions o;
  o.population = 40;
  o.tournament = 4;
  o.initial_density = 0.3;
  o.fitness = "accuracy";
  return o;
}

}  // namespace

TEST_CASE("wann rank: Pareto fronts, then crowding distance, then index") {
  // (mean, max): 0 and 1 are non-dominated; 2 is beaten by 1; 3 by everyone; 4 equals 1.
  const std::vector<std::vector<double>> objectives = {{3, 1}, {1, 3}, {1, 2}, {0, 0}, {1, 3}};
  CHECK(pareto_fronts(objectives) == std::vector<int64_t>{0, 0, 1, 2, 0});
  const std::vector<double> crowding = crowding_distances(objectives, {0, 1, 4});
  CHECK(std::isinf(crowding[0]));
  CHECK(pareto_rank(objectives) == std::vector<int64_t>{0, 1, 3, 4, 2});
  // A front of five on a line: the ends first, then the middle ones by the gap around them.
  const std::vector<std::vector<double>> line = {{0, 4}, {1, 3}, {3, 1}, {4, 0}, {2.5, 1.5}};
  CHECK(pareto_rank(line) == std::vector<int64_t>{0, 2, 4, 1, 3});
}

TEST_CASE("wann search: a seed gives the same search and the search improves on a toy task") {
  WannSearch a(toy_options(), 7, 2, 5), b(toy_options(), 7, 2, 5);
  for (int g = 0; g < 12; ++g) {
    const WannBatch batch = toy_batch(200, uint64_t(g));
    a.step(batch);
    b.step(batch);
  }
  CHECK(a.population() == b.population());
  CHECK(a.history().back().best_mean_fitness == b.history().back().best_mean_fitness);
  CHECK(a.generation() == 12);
  CHECK(a.history().back().best_mean_accuracy > a.history().front().best_mean_accuracy + 0.05);
  WannSearch c(toy_options(), 7, 2, 6);
  c.step(toy_batch(200, 0));
  CHECK(!(c.population() == a.population()));
}

TEST_CASE("wann search: a search restored from its JSON continues exactly") {
  WannSearch a(toy_options(), 7, 2, 9);
  for (int g = 0; g < 3; ++g) a.step(toy_batch(100, uint64_t(g)));
  const nlohmann::json saved = nlohmann::json::parse(a.to_json().dump());  // through text, as on disk
  WannSearch b = WannSearch::from_json(toy_options(), saved);
  CHECK(b.generation() == 3);
  for (int g = 3; g < 6; ++g) {
    const WannBatch batch = toy_batch(100, uint64_t(g));
    a.step(batch);
    b.step(batch);
  }
  CHECK(a.population() == b.population());
  CHECK(a.to_json() == b.to_json());
}

TEST_CASE("wann search: bad options and checkpoints give clear errors") {
  WannSearchOptions o = toy_options();
  o.weights.clear();
  CHECK_THROWS_WITH_AS(WannSearch(o, 7, 2, 1), doctest::Contains("list of shared weights is empty"), Error);
  o = toy_options();
  o.fitness = "reward";
  CHECK_THROWS_WITH_AS(o.check(), doctest::Contains("fitness must be cross_entropy or accuracy"), Error);
  o = toy_options();
  o.mutation = {0, 0, 0, 0};
  CHECK_THROWS_WITH_AS(o.check(), doctest::Contains("at least one mutation"), Error);

  WannSearch a(toy_options(), 7, 2, 1);
  nlohmann::json state = a.to_json();
  state["population"][3]["hidden"] = {"swish"};
  CHECK_THROWS_WITH_AS(WannSearch::from_json(toy_options(), state, "state.json"),
                       doctest::Contains("state.json: population[3]: hidden: wann: unknown activation"), Error);
  state = a.to_json();
  state.erase("generator");
  CHECK_THROWS_WITH_AS(WannSearch::from_json(toy_options(), state, "state.json"), doctest::Contains("state.json"), Error);
  WannSearchOptions bigger = toy_options();
  bigger.population = 50;
  CHECK_THROWS_WITH_AS(WannSearch::from_json(bigger, a.to_json()), doctest::Contains("holds 40 networks"), Error);
}

TEST_CASE("wann data: area resize averages covered pixels, batches are node-major with a bias row") {
  // 3 -> 2 columns: each output covers 1.5 pixels: (a + b/2) / 1.5 and (b/2 + c) / 1.5.
  const Dataset row({30, 60, 90, /**/ 30, 60, 90}, {1}, 1, 2, 3, 2);
  const Dataset small = resize_area(row, 1, 2);
  CHECK(small.height() == 1);
  CHECK(small.width() == 2);
  CHECK(int(small.image(0)[0]) == 40);  // (30 + 30) / 1.5
  CHECK(int(small.image(0)[1]) == 80);  // (30 + 90) / 1.5
  const Dataset flat(std::vector<uint8_t>(28 * 28, 200), {3}, 1, 28, 28, 10);
  const Dataset sixteen = resize_area(flat, 16, 16);
  for (int64_t p = 0; p < 256; ++p) CHECK(int(sixteen.image(0)[p]) == 200);
  CHECK(sixteen.label(0) == 3);

  const WannBatch batch = wann_batch(row, {0});
  CHECK(batch.inputs.shape() == Shape{7, 1});
  CHECK(batch.inputs.at({1, 0}) == doctest::Approx(60.0 / 255));
  CHECK(batch.inputs.at({6, 0}) == 1.0f);
  CHECK(batch.labels == std::vector<int32_t>{1});

  const std::vector<int64_t> s = sample_indices(100, 10, 1, 4);
  CHECK(s == sample_indices(100, 10, 1, 4));
  CHECK(s != sample_indices(100, 10, 1, 5));
  CHECK(std::is_sorted(s.begin(), s.end()));
  CHECK(std::adjacent_find(s.begin(), s.end()) == s.end());
  CHECK_THROWS_WITH_AS(sample_indices(5, 6, 1, 0), doctest::Contains("cannot draw 6 of 5"), Error);
}
