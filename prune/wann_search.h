#pragma once
// The WANN search (Gaier & Ha 2019, as in their prettyNEAT code): each generation every network is
// evaluated with each shared weight on a batch; fitness per weight is the accuracy or minus the
// cross-entropy; the population is ranked on (mean fitness, max fitness) or, with probability
// `connection_objective`, on (mean fitness, 1 / connections) by Pareto fronts (prune/wann_rank.h);
// the worst `cull` are dropped, the best `elite` of the rest pass on unchanged, and the others are
// children of tournament winners with one mutation each (no crossover).
//
// Deterministic: the breeding draws come from one Generator, serially, and evaluation gives the
// same scores for any thread count, so a seed gives the same search. The whole state (population,
// generator, history) round-trips through JSON, so a checkpointed search continues exactly.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "prune/wann_eval.h"
#include "prune/wann_genome.h"

namespace sprig::prune {

struct WannSearchOptions {
  int64_t population = 960;
  int64_t tournament = 32;
  double cull = 0.2;                  // fraction of the ranked population that never breeds
  double elite = 0.2;                 // fraction of the breeders copied unchanged
  double connection_objective = 0.8;  // odds that a generation ranks on connections instead of max fitness
  double initial_density = 0.05;      // odds of each input -> output connection in the first genomes
  std::vector<double> weights = {-2.0, -1.0, -0.5, 0.5, 1.0, 2.0};
  std::string fitness = "cross_entropy";  // or "accuracy"
  WannMutationOptions mutation;

  template <class V>
  void visit(V& v) {
    v("population", population, "networks per generation");
    v("tournament", tournament, "tournament size: a parent is the best-ranked of this many random breeders");
    v("cull", cull, "fraction of the ranked population that never breeds");
    v("elite", elite, "fraction of the breeders copied unchanged into the next generation");
    v("connection_objective", connection_objective,
      "odds that a generation ranks on (mean fitness, fewer connections) rather than (mean, max fitness)");
    v("initial_density", initial_density, "odds of each input -> output connection in the first networks");
    v("weights", weights, "the shared weights every network is evaluated with");
    v("fitness", fitness, "fitness per weight: cross_entropy (minus the mean loss) or accuracy");
    v("mutation", mutation, "relative odds of the four mutations");
  }
  void check() const;  // throws naming the first bad field (an empty weight list among them)
  std::vector<float> float_weights() const { return {weights.begin(), weights.end()}; }
};

// One evaluated generation: its best network (by mean fitness) and population averages.
struct WannGeneration {
  int64_t generation = 0;
  double best_mean_fitness = 0, best_max_fitness = 0;
  double best_mean_accuracy = 0, best_max_accuracy = 0;
  int64_t best_connections = 0, best_hidden = 0;
  double mean_accuracy = 0;     // population average of each network's mean accuracy over the weights
  double mean_connections = 0;  // population average of enabled connections
  int64_t front_size = 0;       // networks in the first Pareto front
  bool ranked_on_connections = false;
};

class WannSearch {
 public:
  // Starts from initial genomes drawn by a generator seeded with `seed`.
  WannSearch(const WannSearchOptions& options, int64_t inputs, int64_t outputs, uint64_t seed);

  // Evaluates the population on `batch`, records the generation, breeds the next population.
  const WannGeneration& step(const WannBatch& batch);

  int64_t generation() const { return int64_t(history_.size()); }  // generations done
  const std::vector<WannGenome>& population() const { return population_; }
  const std::vector<WannGeneration>& history() const { return history_; }

  // The state after the last step; from_json throws naming the checkpoint's bad field.
  nlohmann::json to_json() const;
  static WannSearch from_json(const WannSearchOptions& options, const nlohmann::json& state,
                              const std::string& source = "checkpoint");

 private:
  WannSearch(const WannSearchOptions& options, Generator gen) : options_(options), gen_(gen) {}
  std::vector<WannGenome> breed(const std::vector<int64_t>& rank);

  WannSearchOptions options_;
  Generator gen_;
  std::vector<WannGenome> population_;
  std::vector<WannGeneration> history_;
};

nlohmann::json generation_to_json(const WannGeneration& g);
WannGeneration generation_from_json(const nlohmann::json& json);

}  // namespace sprig::prune
