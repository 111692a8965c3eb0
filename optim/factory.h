#pragma once
// An optimiser chosen by name, for apps and experiment runners configured from JSON.
#include <memory>
#include <string>

#include "optim/optimizer.h"

namespace sprig::optim {

struct OptimizerOptions {
  std::string optimizer = "adam";  // sgd, adam or adamw
  double lr = 1e-3;
  double momentum = 0.0;           // sgd
  bool nesterov = false;           // sgd
  double weight_decay = 0.0;       // L2 (decoupled for adamw)

  template <class V>
  void visit(V& v) {
    v("optimizer", optimizer, "update rule: sgd, adam or adamw");
    v("lr", lr, "learning rate");
    v("momentum", momentum, "SGD momentum");
    v("nesterov", nesterov, "SGD: Nesterov momentum");
    v("weight_decay", weight_decay, "weight decay (L2; decoupled for adamw)");
  }
};

// Throws naming the bad field for an unknown name or an out-of-range value.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerOptions& options, nn::ParameterSet& parameters);

}  // namespace sprig::optim
