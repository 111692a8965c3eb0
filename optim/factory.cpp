#include "optim/factory.h"

#include "optim/adam.h"
#include "optim/sgd.h"

namespace sprig::optim {

std::unique_ptr<Optimizer> make_optimizer(const OptimizerOptions& o, nn::ParameterSet& parameters) {
  SPRIG_CHECK(o.lr >= 0, "optimizer: lr must be non-negative but is ", o.lr);
  SPRIG_CHECK(o.momentum >= 0 && o.momentum < 1, "optimizer: momentum must be in [0, 1) but is ", o.momentum);
  SPRIG_CHECK(o.weight_decay >= 0, "optimizer: weight_decay must be non-negative but is ", o.weight_decay);
  if (o.optimizer == "sgd") return std::make_unique<Sgd>(parameters, SgdOptions{o.lr, o.momentum, 0.0, o.nesterov, o.weight_decay});
  SPRIG_CHECK(o.optimizer == "adam" || o.optimizer == "adamw", "optimizer: expected sgd, adam or adamw but got '",
              o.optimizer, "'");
  AdamOptions adam;
  adam.lr = o.lr;
  adam.weight_decay = o.weight_decay;
  adam.decoupled = o.optimizer == "adamw";
  return std::make_unique<Adam>(parameters, adam);
}

}  // namespace sprig::optim
