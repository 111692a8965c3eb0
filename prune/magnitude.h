#pragma once
// Masks for unstructured pruning: by weight magnitude (Frankle & Carbin 2019; Han et al. 2015) or at
// random with the same counts (the lottery-ticket paper's random-pruning control). Rates apply to the
// weights still alive, so pruning 20% twice leaves 64%.
#include <map>
#include <string>
#include <vector>

#include "nn/parameter_set.h"
#include "tensor/generator.h"

namespace sprig::prune {

struct PruningOptions {
  double rate = 0.2;            // fraction of the live weights removed per round
  double output_rate = 0.1;     // rate of the last prunable parameter (the classifier); <0: same as rate
  double conv_rate = -1;        // rate of convolution weights (4-d); <0: same as rate
  std::string scope = "layerwise";      // layerwise: each layer loses its rate; global: one magnitude threshold
  std::vector<std::string> ignore;      // prunable parameters left dense (dotted names)

  template <class V>
  void visit(V& v) {
    v("rate", rate, "fraction of the remaining weights pruned per round, in [0, 1)");
    v("output_rate", output_rate, "rate of the output layer (the paper: half the rate); negative: same as rate");
    v("conv_rate", conv_rate, "rate of convolution weights (Conv-2/4: 0.1, Conv-6: 0.15); negative: same as rate");
    v("scope", scope, "layerwise (each layer loses its rate) or global (one threshold over all pruned layers)");
    v("ignore", ignore, "prunable parameters never pruned (dotted names, e.g. 1.weight)");
  }
};

// Throws naming the first bad field (rate outside [0, 1), unknown scope).
void check_options(const PruningOptions& options);

// The parameters a round prunes and the rate of each: every prunable parameter not ignored.
std::map<std::string, double> pruning_rates(const nn::ParameterSet& parameters, const PruningOptions& options);

// Masks after one round of magnitude pruning of the current values under the current masks
// (a parameter without a mask counts as all alive). Ties break by position, so it is deterministic.
// Global scope ranks all chosen weights together, removing rate x (their live count); output_rate
// is then ignored. Returns one mask per pruned parameter, by name.
std::map<std::string, Tensor> magnitude_masks(const nn::ParameterSet& parameters, const PruningOptions& options);

// One mask per name with the same live count as `reference` has there, at positions drawn by `gen`.
std::map<std::string, Tensor> random_masks_like(const std::map<std::string, Tensor>& reference, Generator& gen);

// Keeps the `keep` largest |values| among the entries where mask is 1 (ties: lower index wins).
Tensor keep_largest(const Tensor& values, const Tensor& mask, int64_t keep);

// Sets every mask of `masks` on `parameters`.
void apply(nn::ParameterSet& parameters, const std::map<std::string, Tensor>& masks);

}  // namespace sprig::prune
