#pragma once
// The supervised training loop every app shares: a step is forward, cross-entropy, backward and an
// optimiser update; an epoch is the loader's batches; evaluation runs without gradients.
#include <functional>

#include "data/loader.h"
#include "nn/module.h"
#include "optim/data_parallel.h"
#include "optim/optimizer.h"
#include "optim/schedule.h"

namespace sprig::optim {

struct StepResult {
  double loss = 0.0;    // mean over the batch (the global batch under data parallelism)
  int64_t correct = 0;  // argmax hits
};

// One update on one batch. The learning rate is whatever the optimiser holds. With `parallel`, the
// batch is this rank's shard and the step is the global batch's (the gradients summed across ranks).
StepResult train_step(nn::Module& model, Optimizer& optimizer, const Batch& batch, DataParallel* parallel = nullptr);

struct EpochStats {
  double loss = 0.0;      // mean over examples
  double accuracy = 0.0;  // fraction in [0, 1]
  int64_t examples = 0;
  double seconds = 0.0;
};

// Called after each training step with the step's index within the run and its result.
using StepCallback = std::function<void(int64_t step, const StepResult& result)>;

// A pass over the loader's epoch `epoch`; if `schedule` is given the rate is set before every step
// from the optimiser's step count.
EpochStats train_epoch(nn::Module& model, Optimizer& optimizer, DataLoader& loader, int64_t epoch,
                       const Schedule* schedule = nullptr, const StepCallback& on_step = {},
                       DataParallel* parallel = nullptr);

// Loss and accuracy over one pass of `loader` in evaluation mode, without gradients; a sharded
// loader's counts are summed over the ranks.
EpochStats evaluate(nn::Module& model, DataLoader& loader);

}  // namespace sprig::optim
