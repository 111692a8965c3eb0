#include "prune/wann_search.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "prune/wann_rank.h"
#include "tensor/error.h"

namespace sprig::prune {

namespace {

struct Fitness {
  double mean = 0, max = 0, mean_accuracy = 0, max_accuracy = 0;
};

Fitness summarize(const std::vector<WeightScore>& scores, bool accuracy) {
  Fitness f{0, -1e300, 0, 0};
  for (const WeightScore& s : scores) {
    const double value = accuracy ? s.accuracy : -s.loss;
    f.mean += value / double(scores.size());
    f.max = std::max(f.max, value);
    f.mean_accuracy += s.accuracy / double(scores.size());
    f.max_accuracy = std::max(f.max_accuracy, s.accuracy);
  }
  return f;
}

}  // namespace

void WannSearchOptions::check() const {
  SPRIG_CHECK(population >= 2, "wann search: population must be at least 2, got ", population);
  SPRIG_CHECK(tournament >= 1, "wann search: tournament must be at least 1, got ", tournament);
  SPRIG_CHECK(cull >= 0 && cull < 1, "wann search: cull must be in [0, 1), got ", cull);
  SPRIG_CHECK(elite >= 0 && elite <= 1, "wann search: elite must be in [0, 1], got ", elite);
  SPRIG_CHECK(connection_objective >= 0 && connection_objective <= 1,
              "wann search: connection_objective must be in [0, 1], got ", connection_objective);
  SPRIG_CHECK(initial_density > 0 && initial_density <= 1, "wann search: initial_density must be in (0, 1], got ",
              initial_density);
  SPRIG_CHECK(!weights.empty(), "wann search: the list of shared weights is empty; give at least one (the paper: "
                                "-2, -1, -0.5, 0.5, 1, 2)");
  for (double w : weights) SPRIG_CHECK(std::isfinite(w), "wann search: shared weight ", w, " is not finite");
  SPRIG_CHECK(fitness == "cross_entropy" || fitness == "accuracy",
              "wann search: fitness must be cross_entropy or accuracy, got \"", fitness, "\"");
  mutation.check();
}

WannSearch::WannSearch(const WannSearchOptions& options, int64_t inputs, int64_t outputs, uint64_t seed)
    : options_(options), gen_(seed) {
  options_.check();
  for (int64_t i = 0; i < options_.population; ++i)
    population_.push_back(initial_genome(inputs, outputs, options_.initial_density, gen_));
}

const WannGeneration& WannSearch::step(const WannBatch& batch) {
  const auto scores = evaluate_population(population_, options_.float_weights(), batch);
  const size_t n = population_.size();
  std::vector<Fitness> fitness(n);
  for (size_t i = 0; i < n; ++i) fitness[i] = summarize(scores[i], options_.fitness == "accuracy");

  WannGeneration g;
  g.generation = generation();
  g.ranked_on_connections = gen_.uniform_double() < options_.connection_objective;
  std::vector<std::vector<double>> objectives(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t connections = std::max<int64_t>(1, population_[i].enabled_connections());  // none: not "best"
    objectives[i] = {fitness[i].mean, g.ranked_on_connections ? 1.0 / double(connections) : fitness[i].max};
    g.mean_accuracy += fitness[i].mean_accuracy / double(n);
    g.mean_connections += double(population_[i].enabled_connections()) / double(n);
  }
  const std::vector<int64_t> front = pareto_fronts(objectives);
  g.front_size = std::count(front.begin(), front.end(), 0);
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (fitness[i].mean > fitness[best].mean) best = i;
  g.best_mean_fitness = fitness[best].mean, g.best_max_fitness = fitness[best].max;
  g.best_mean_accuracy = fitness[best].mean_accuracy, g.best_max_accuracy = fitness[best].max_accuracy;
  g.best_connections = population_[best].enabled_connections();
  g.best_hidden = int64_t(population_[best].hidden.size());
  history_.push_back(g);

  population_ = breed(pareto_rank(objectives));
  return history_.back();
}

// prettyNEAT's recombine without crossover: sort by rank, cull, keep the elite, fill by tournaments.
std::vector<WannGenome> WannSearch::breed(const std::vector<int64_t>& rank) {
  const int64_t n = int64_t(population_.size());
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[size_t(rank[size_t(i)])] = i;
  const int64_t breeders = std::max<int64_t>(1, n - int64_t(std::floor(options_.cull * double(n))));
  const int64_t elites = int64_t(std::floor(options_.elite * double(breeders)));
  std::vector<WannGenome> next;
  next.reserve(size_t(n));
  for (int64_t e = 0; e < elites; ++e) next.push_back(population_[size_t(order[size_t(e)])]);
  while (int64_t(next.size()) < n) {
    int64_t winner = breeders;  // lowest rank among the tournament's draws
    for (int64_t t = 0; t < options_.tournament; ++t) winner = std::min(winner, gen_.integer(breeders));
    WannGenome child = population_[size_t(order[size_t(winner)])];
    mutate(child, options_.mutation, gen_);
    next.push_back(std::move(child));
  }
  return next;
}

nlohmann::json generation_to_json(const WannGeneration& g) {
  return {{"generation", g.generation},
          {"best_mean_fitness", g.best_mean_fitness},
          {"best_max_fitness", g.best_max_fitness},
          {"best_mean_accuracy", g.best_mean_accuracy},
          {"best_max_accuracy", g.best_max_accuracy},
          {"best_connections", g.best_connections},
          {"best_hidden", g.best_hidden},
          {"mean_accuracy", g.mean_accuracy},
          {"mean_connections", g.mean_connections},
          {"front_size", g.front_size},
          {"ranked_on_connections", g.ranked_on_connections}};
}

WannGeneration generation_from_json(const nlohmann::json& j) {
  WannGeneration g;
  j.at("generation").get_to(g.generation);
  j.at("best_mean_fitness").get_to(g.best_mean_fitness);
  j.at("best_max_fitness").get_to(g.best_max_fitness);
  j.at("best_mean_accuracy").get_to(g.best_mean_accuracy);
  j.at("best_max_accuracy").get_to(g.best_max_accuracy);
  j.at("best_connections").get_to(g.best_connections);
  j.at("best_hidden").get_to(g.best_hidden);
  j.at("mean_accuracy").get_to(g.mean_accuracy);
  j.at("mean_connections").get_to(g.mean_connections);
  j.at("front_size").get_to(g.front_size);
  j.at("ranked_on_connections").get_to(g.ranked_on_connections);
  return g;
}

nlohmann::json WannSearch::to_json() const {
  nlohmann::json population = nlohmann::json::array(), history = nlohmann::json::array();
  for (const WannGenome& genome : population_) population.push_back(genome_to_json(genome));
  for (const WannGeneration& g : history_) history.push_back(generation_to_json(g));
  return {{"format", "sprig-wann-search"}, {"generator", gen_.state()}, {"population", population}, {"history", history}};
}

WannSearch WannSearch::from_json(const WannSearchOptions& options, const nlohmann::json& state, const std::string& source) {
  options.check();
  try {
    SPRIG_CHECK(state.value("format", "") == "sprig-wann-search", "not a WANN search state (format \"",
                state.value("format", "?"), "\")");
    Generator gen;
    gen.set_state(state.at("generator").get<std::array<uint64_t, 4>>());
    WannSearch search(options, gen);
    const nlohmann::json& population = state.at("population");
    for (size_t i = 0; i < population.size(); ++i)
      search.population_.push_back(genome_from_json(population[i], "population[" + std::to_string(i) + "]"));
    SPRIG_CHECK(int64_t(search.population_.size()) == options.population, "it holds ", search.population_.size(),
                " networks, the options ask for ", options.population);
    for (const nlohmann::json& g : state.at("history")) search.history_.push_back(generation_from_json(g));
    return search;
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": " + e.what());
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
}

}  // namespace sprig::prune
