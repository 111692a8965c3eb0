#pragma once
// A found WANN topology as an ordinary sprig model, to train with autograd and an optimiser: the
// paper's "tuned shared weight" (one scalar for every connection) and "tuned weights" (a weight per
// connection) rows. Layer l (prune/wann_net.h) multiplies a dense weight [size, inputs + first_row]
// whose nonzero pattern is the layer's connections with every value before it (inputs, bias, earlier
// rows), then applies each row's activation:
//   shared:      W_l = w * pattern_l, one parameter "weight" [1]
//   individual:  W_l a parameter "layer<l>" with the pattern as its mask (ParameterSet::set_mask),
//                so optimisers keep the absent connections at exactly zero.
// Activations are kept node-major ([rows, B]), as the evaluator keeps them.
#include <memory>
#include <string>
#include <vector>

#include "autograd/variable.h"
#include "data/dataset.h"
#include "nn/module.h"
#include "nn/parameter_set.h"
#include "optim/train.h"
#include "prune/wann_net.h"

namespace sprig::prune {

// z [rows, B] -> [rows, B], row r through activations[r] (prune/wann_genome.h), with its gradient.
Variable wann_activate(const Variable& z, const std::vector<Activation>& activations);

class WannModel : public nn::Module {
 public:
  enum class Weights { shared, individual };
  // Every connection starts at `initial`.
  WannModel(const WannNet& net, Weights weights, float initial);

  // images [B, ...] with C*H*W + 1 == net.inputs (the bias is appended) -> logits [B, outputs]
  Variable forward(const Variable& images) override;
  std::string type_name() const override { return "Wann"; }
  std::string describe() const override;

  // Individual weights: sets each layer's connection pattern as its mask in `parameters`.
  void set_masks(nn::ParameterSet& parameters);
  float shared_weight() const;  // shared mode only

 private:
  WannNet net_;
  Weights weights_;
  std::vector<Tensor> patterns_;  // per layer, [size, inputs + first_row], 0/1
  std::vector<nn::Parameter*> layer_weights_;
  nn::Parameter* shared_ = nullptr;
};

struct WannTrainOptions {
  int64_t epochs = 1;
  int64_t batch = 128;
  double lr = 1e-2;

  template <class V>
  void visit(V& v) {
    v("epochs", epochs, "passes over the training set");
    v("batch", batch, "examples per Adam step");
    v("lr", lr, "Adam learning rate");
  }
};

// Adam on cross-entropy over `train` (pixel / 255 inputs, shuffled by `seed`); returns the last epoch.
optim::EpochStats train_wann(WannModel& model, const Dataset& train, const WannTrainOptions& options, uint64_t seed);
// Loss and accuracy on `data`, without gradients.
optim::EpochStats evaluate_wann(WannModel& model, const Dataset& data);

}  // namespace sprig::prune
