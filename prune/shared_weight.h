#pragma once
// Shared-weight evaluation (Gaier & Ha 2019, "Weight agnostic neural networks"): how much of a
// network's skill lies in its mask alone. Every surviving weight is set to one shared value w and
// every bias to zero, for each w of a list; accuracy and loss are reported per w, with their mean,
// min and max, and for the ensemble whose output is the softmax probabilities averaged over the ws.
// Probabilities, not logits: a ReLU network without biases scales its logits by |w|^depth, so an
// average of logits would be the largest |w|'s vote alone.
//
// keep_sign multiplies each weight by the sign it had in `signs` (a lottery ticket's θ0): what the
// ticket's mask and signs encode without any magnitude.
#include <map>
#include <string>
#include <vector>

#include "data/loader.h"
#include "nn/parameter_set.h"

namespace sprig::prune {

struct SharedWeightOptions {
  std::vector<double> weights = {-2, -1, -0.5, 0.5, 1, 2};
  bool keep_sign = false;

  template <class V>
  void visit(V& v) {
    v("weights", weights, "shared weight values evaluated (non-empty, finite)");
    v("keep_sign", keep_sign, "multiply each weight by the sign of its initial value");
  }
};

// Throws for an empty or non-finite list of weights.
void check_options(const SharedWeightOptions& options);

struct SharedWeightScore {
  double weight;    // the shared value; NaN for the ensemble
  double loss;      // mean cross-entropy
  double accuracy;  // fraction in [0, 1]
};

struct SharedWeightResult {
  std::vector<SharedWeightScore> per_weight;
  double mean_accuracy = 0, min_accuracy = 0, max_accuracy = 0, mean_loss = 0;
  SharedWeightScore ensemble{};  // probabilities averaged over the weights; loss floors them at 1e-12
};

// Sets `masks` on `parameters` (of `model`), gives every prunable weight the shared value (times the
// sign of its entry in `signs`, a snapshot of the same ParameterSet layout, when keep_sign), zeroes
// parameters named *bias and evaluates `loader` once per weight. The values are restored afterwards;
// the masks stay set.
SharedWeightResult evaluate_shared_weight(nn::Module& model, nn::ParameterSet& parameters,
                                          const std::map<std::string, Tensor>& masks, const Tensor& signs,
                                          DataLoader& loader, const SharedWeightOptions& options);

}  // namespace sprig::prune
