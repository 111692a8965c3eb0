#pragma once
// Edge-popup supermasks (Ramanujan et al. 2020, "What's hidden in a randomly weighted neural
// network?"): a model whose weights stay at their random initial values while a score beside every
// prunable weight learns which of them to keep; each layer keeps the k% of largest |score|.
//
// Supermask wraps any model. It owns one score tensor per prunable weight (its only parameters, so a
// ParameterSet of the Supermask holds just the scores and an optimiser, weight decay included, never
// touches the frozen weights), and freezes every parameter of the model (biases set to zero: the
// paper's networks have none). Its forward hands each prunable layer the product
// weight * topk(|score|) in place of the weight's Variable for the duration of the model's forward
// (PyTorch's weight_norm recomputes module.weight in a pre-forward hook the same way), so Linear,
// Conv2d and any later prunable layer take part unchanged. The model is held, not registered as a
// child, for the same reason the scores are the only parameters.
//
// After training, masks() are ordinary sprig masks: set on the model's own ParameterSet
// (prune/supermask.h), the model alone computes what the Supermask did, on dense or CSR kernels.
#include <map>
#include <string>
#include <vector>

#include "nn/module.h"
#include "tensor/generator.h"

namespace sprig::nn {

struct SupermaskOptions {
  double k = 50.0;                              // percent of each layer's weights kept
  std::string weight_init = "signed_constant";  // the frozen weights; see the help text
  bool scale_fan = false;                       // weight scale from the fan-in that survives (fan_in * k/100)

  template <typename V>
  void visit(V& v) {
    v("k", k, "percent of each layer's weights kept, in (0, 100]");
    v("weight_init", weight_init,
      "frozen weights: signed_constant (+-sqrt(2/fan_in), random signs), kaiming_normal (N(0, 2/fan_in)), or "
      "model (as the model was initialised)");
    v("scale_fan", scale_fan, "scale the frozen weights for the fan-in that survives the mask (fan_in * k/100)");
  }
};

// Throws naming the bad field: k outside (0, 100], an unknown weight_init.
void check_options(const SupermaskOptions& options);

class Supermask : public Module {
 public:
  struct Scored {
    std::string name;   // the weight's dotted name in model()
    Parameter* weight;  // frozen
    Parameter* score;   // this module's parameter, same shape
    int64_t keep;       // entries the top-k mask keeps
  };

  // Draws the frozen weights (options.weight_init) and the scores (Kaiming uniform with a = sqrt(5),
  // U(+-1/sqrt(fan_in)), as the paper's code) from `gen`.
  Supermask(ModulePtr model, const SupermaskOptions& options, Generator& gen);

  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Supermask"; }
  std::string describe() const override;

  Module& model() { return *model_; }
  const std::vector<Scored>& scored() const { return scored_; }
  // The top-k mask of every scored weight, by the weight's name in model().
  std::map<std::string, Tensor> masks() const;

 private:
  ModulePtr model_;
  SupermaskOptions options_;
  std::vector<Scored> scored_;
};

}  // namespace sprig::nn
