// WANN genomes (prune/wann_genome.h): mutations keep a genome valid, JSON round-trips, and bad JSON
// is refused with a message naming the problem.
#include <doctest/doctest.h>

#include "prune/wann_genome.h"
#include "tensor/error.h"

using namespace sprig;
using namespace sprig::prune;

namespace {

// A genome grown by `steps` random mutations from a sparse start.
WannGenome grown(int64_t steps, uint64_t seed) {
  Generator gen(seed);
  WannGenome genome = initial_genome(6, 3, 0.3, gen);
  for (int64_t s = 0; s < steps; ++s) mutate(genome, {}, gen);
  return genome;
}

}  // namespace

TEST_CASE("wann genome: the activations follow the paper's code") {
  CHECK(activate(Activation::step, 0.0f) == 0.0f);
  CHECK(activate(Activation::step, 0.1f) == 1.0f);
  CHECK(activate(Activation::sin, 0.5f) == doctest::Approx(1.0));  // sin(pi x)
  CHECK(activate(Activation::cos, 1.0f) == doctest::Approx(-1.0));
  CHECK(activate(Activation::gaussian, 2.0f) == doctest::Approx(std::exp(-2.0)));
  CHECK(activate(Activation::sigmoid, 0.0f) == doctest::Approx(0.5));
  CHECK(activate(Activation::inverse, 3.0f) == -3.0f);
  CHECK(activate(Activation::abs, -3.0f) == 3.0f);
  CHECK(activate(Activation::relu, -3.0f) == 0.0f);
  for (int a = 0; a < kActivationCount; ++a)  // the derivative against central differences, away from kinks
    for (float x : {-0.7f, 0.3f, 1.3f}) {
      const Activation act = Activation(a);
      const double numeric = (double(activate(act, x + 1e-3f)) - activate(act, x - 1e-3f)) / 2e-3;
      CHECK_MESSAGE(activation_derivative(act, x) == doctest::Approx(numeric).epsilon(1e-2), activation_name(act));
      CHECK(activation_from_name(activation_name(act)) == act);
    }
  CHECK_THROWS_WITH_AS(activation_from_name("swish"), doctest::Contains("unknown activation \"swish\""), Error);
}

TEST_CASE("wann genome: mutations keep the genome feed-forward and valid, and a seed repeats them") {
  const WannGenome a = grown(300, 5);
  CHECK_NOTHROW(a.validate());
  CHECK(a.hidden.size() > 20);
  CHECK(a.connections.size() > 60);
  CHECK(a == grown(300, 5));
  CHECK(!(a == grown(300, 6)));
}

TEST_CASE("wann genome: each mutation does what it says") {
  Generator gen(3);
  WannGenome g{2, 1, {}, {{0, 2, true}}};
  CHECK(!enable_connection(g, gen));
  CHECK(!change_activation(g, gen));
  REQUIRE(add_node(g, gen));  // 0 -> 2 becomes 0 -> 3 -> 2
  CHECK(g.hidden.size() == 1);
  CHECK(g.connections == std::vector<WannConnection>{{0, 2, false}, {0, 3, true}, {3, 2, true}});
  const Activation before = g.hidden[0];
  REQUIRE(change_activation(g, gen));
  CHECK(g.hidden[0] != before);
  REQUIRE(enable_connection(g, gen));
  CHECK(g.connections[0].enabled);
  // Every legal connection is added once, then there is none left: 1 -> 3, 1 -> 2 (3 -> 2 exists, 2 -> 3 is a cycle).
  CHECK(add_connection(g, gen));
  CHECK(add_connection(g, gen));
  CHECK(!add_connection(g, gen));
  CHECK(g.connections.size() == 5);
  CHECK_NOTHROW(g.validate());
}

TEST_CASE("wann genome: initial genomes connect inputs to outputs at the given density") {
  Generator gen(1);
  const WannGenome g = initial_genome(257, 10, 0.05, gen);
  CHECK(g.hidden.empty());
  CHECK(g.connections.size() > 90);
  CHECK(g.connections.size() < 170);
  for (const WannConnection& c : g.connections) CHECK((g.is_input(c.from) && g.is_output(c.to) && c.enabled));
  CHECK(initial_genome(4, 2, 0.0, gen).connections.empty());
  CHECK_THROWS_WITH_AS(initial_genome(4, 2, 1.5, gen), doctest::Contains("density"), Error);
}

TEST_CASE("wann genome: JSON round-trips") {
  const WannGenome a = grown(100, 9);
  CHECK(genome_from_json(genome_to_json(a)) == a);
}

TEST_CASE("wann genome: malformed JSON gives a clear error") {
  using nlohmann::json;
  const json good = {{"inputs", 2}, {"outputs", 1}, {"hidden", {"tanh"}}, {"connections", {{0, 3, 1}, {3, 2, 1}}}};
  CHECK_NOTHROW(genome_from_json(good));
  auto with = [&](const char* key, json value) {
    json j = good;
    j[key] = std::move(value);
    return j;
  };
  json missing = good;
  missing.erase("connections");
  const std::pair<json, const char*> cases[] = {
      {json::array(), "expected a JSON object"},
      {missing, "best.json: missing key \"connections\""},
      {with("inputs", "two"), "inputs: expected an integer"},
      {with("inputs", 0), "at least one input"},
      {with("hidden", {"swish"}), "unknown activation \"swish\""},
      {with("hidden", json::object()), "hidden: expected an array"},
      {with("connections", {{0, 3}}), "connection 0: expected [from, to, enabled]"},
      {with("connections", {{0, 3, 2}}), "enabled must be 0 or 1"},
      {with("connections", {{0, 9, 1}}), "outside [0, 4)"},
      {with("connections", {{2, 3, 1}}), "leaves output node 2"},
      {with("connections", {{3, 1, 1}}), "enters input node 1"},
      {with("connections", {{3, 3, 1}}), "self-loop"},
      {with("connections", {{0, 3, 1}, {0, 3, 0}}), "repeats 0 -> 3"},
  };
  for (const auto& [j, message] : cases) CHECK_THROWS_WITH_AS(genome_from_json(j, "best.json"), doctest::Contains(message), Error);
  // A cycle needs two hidden nodes: 3 -> 4 -> 3.
  const json cycle = {{"inputs", 2}, {"outputs", 1}, {"hidden", {"tanh", "relu"}}, {"connections", {{3, 4, 1}, {4, 3, 0}}}};
  CHECK_THROWS_WITH_AS(genome_from_json(cycle), doctest::Contains("cycle"), Error);
}
