#pragma once
// Evaluating weight-agnostic networks: every connection of a network carries one shared weight w,
// and a network is run for each of a list of weights ({-2, -1, -0.5, 0.5, 1, 2} in the paper) on a
// batch of examples. Layer by layer (prune/wann_net.h), each layer is two sparse products (tensor/spmm.h)
// with the batch along rows and all weights side by side, then the activation per row:
//   h_w[layer] = act(w * (S_in x + S_rows h_w))     x: [inputs, n], h_w: [rows, n] per weight.
// Examples go through in tiles of kWannTile so a tile's activations stay in cache. The results are
// the same for any thread count: a network is evaluated by one thread, in a fixed order.
#include <cstdint>
#include <vector>

#include "prune/wann_net.h"
#include "tensor/tensor.h"

namespace sprig::prune {

inline constexpr int64_t kWannTile = 128;  // examples per tile
// Per-example cross-entropy is capped here, so a network whose outputs overflow for one weight
// (linear chains multiply by |w| per layer) scores as very bad rather than infinitely bad.
inline constexpr double kWannLossCap = 30.0;

struct WannBatch {
  Tensor inputs;                // [inputs, B]: a row per input node, the batch along the row
  std::vector<int32_t> labels;  // [B], in [0, outputs); may be empty for wann_outputs
  int64_t size() const { return inputs.defined() ? inputs.size(1) : 0; }
};

struct WeightScore {
  double loss = 0.0;      // mean cross-entropy of softmax(outputs), each example capped at kWannLossCap
  double accuracy = 0.0;  // fraction with the label's output strictly largest-first (argmax, first wins)
};

// Scratch one thread reuses across networks, so steady-state evaluation allocates nothing.
struct WannWorkspace {
  std::vector<float> rows, from_inputs, from_rows;
};

// Throws unless weights is non-empty and finite and batch matches the network.
void check_wann_inputs(const WannNet& net, const std::vector<float>& weights, const WannBatch& batch, bool need_labels);

// Outputs for every weight: [weights, outputs, B].
Tensor wann_outputs(const WannNet& net, const std::vector<float>& weights, const WannBatch& batch);
// The plain twin of wann_outputs: the genome node by node, one example and weight at a time, in double.
Tensor wann_outputs_reference(const WannGenome& genome, const std::vector<float>& weights, const WannBatch& batch);
// Loss and accuracy for every weight.
std::vector<WeightScore> wann_scores(const WannNet& net, const std::vector<float>& weights, const WannBatch& batch,
                                     WannWorkspace& workspace);
std::vector<WeightScore> wann_scores(const WannNet& net, const std::vector<float>& weights, const WannBatch& batch);
// Accuracy of the ensemble: softmax outputs averaged over the weights, then argmax.
double wann_ensemble_accuracy(const WannNet& net, const std::vector<float>& weights, const WannBatch& batch);

// wann_scores of each genome, networks spread over the OpenMP threads.
std::vector<std::vector<WeightScore>> evaluate_population(const std::vector<WannGenome>& genomes,
                                                          const std::vector<float>& weights, const WannBatch& batch);

}  // namespace sprig::prune
