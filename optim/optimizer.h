#pragma once
// Optimisers step over a model's flat buffers (nn::ParameterSet): one loop over all parameters,
// their gradients and their state, which lives in flat buffers of the same layout. When the set has
// masks, a pruned entry's weight and every state value at that entry are held at exactly zero, and
// its gradient never reaches the state (momentum cannot revive a pruned weight).
#include <string>
#include <utility>
#include <vector>

#include "nn/parameter_set.h"

namespace sprig::optim {

class Optimizer {
 public:
  explicit Optimizer(nn::ParameterSet& parameters) : parameters_(parameters) {}
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  void step();  // one update from the gradients in parameters().gradients()
  void zero_grad() { parameters_.zero_grad(); }

  double lr() const { return lr_; }
  void set_lr(double lr);
  int64_t steps() const { return steps_; }
  nn::ParameterSet& parameters() { return parameters_; }

  // Flat state buffers by name ("momentum", "exp_avg", ...), for checkpoints; same layout as the values.
  virtual std::vector<std::pair<std::string, Tensor*>> state() = 0;
  void set_steps(int64_t steps) { steps_ = steps; }  // when restoring a checkpoint
  void reset_state();  // zero every state buffer and the step count (after rewinding weights)

 protected:
  // Updates entries [begin, end) of the flat buffers; `mask` is null when nothing is pruned.
  virtual void update(int64_t begin, int64_t end, const float* mask) = 0;

  nn::ParameterSet& parameters_;
  double lr_ = 0.0;
  int64_t steps_ = 0;  // completed steps; update() sees the count including the current one
};

}  // namespace sprig::optim
