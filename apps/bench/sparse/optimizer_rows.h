#pragma once
// One Adam step over LeNet-300-100's parameters with the weights pruned at random to a density: the
// masked loop over the whole flat buffer against the live loop over the kept entries
// (optim/optimizer.h), which sets kLiveStepBelow.
#include <vector>

#include "apps/bench/timing.h"

namespace sprig::bench {

struct OptimizerTiming {
  double density = 1;
  double masked = 0, live = 0;  // seconds per step
};

OptimizerTiming time_optimizer_step(double density, const TimingPlan& plan);

}  // namespace sprig::bench
