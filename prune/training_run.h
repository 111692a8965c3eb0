#pragma once
// One training run of a pruning experiment, counted in iterations as the lottery-ticket paper does:
// validation every `eval_every` iterations, the weights and BatchNorm statistics at the lowest
// validation loss kept aside (the early-stop point), the test set evaluated there and at the end. A run checkpoints itself
// every `checkpoint_every` iterations and, started again with the same checkpoint path and key,
// continues where it stopped with bit-identical results (weights, optimiser state, data position).
#include <functional>
#include <string>
#include <vector>

#include "data/loader.h"
#include "nn/parameter_set.h"
#include "optim/optimizer.h"
#include "optim/schedule.h"
#include "optim/train.h"

namespace sprig::prune {

struct RunOptions {
  int64_t iterations = 50000;       // total, counted from 0 even when a run starts later (late rewinding)
  int64_t eval_every = 100;         // validation period; the last iteration is always evaluated
  int64_t checkpoint_every = 2000;  // 0: never
};

struct EvalPoint {
  int64_t iteration;
  double loss, accuracy;
};

struct RunOutcome {
  std::vector<EvalPoint> validation;  // the curve
  EvalPoint early_stop{};             // the validation point with the lowest loss (earliest on ties)
  optim::EpochStats test_at_stop, test_final;
  double seconds = 0.0;               // wall time of training and evaluation, summed over resumptions
};

struct RunContext {
  nn::Module& model;
  nn::ParameterSet& parameters;
  optim::Optimizer& optimizer;
  const optim::Schedule* schedule;  // null: the optimiser's rate stays
  DataLoader& train;
  DataLoader& validation;
  DataLoader& test;
};

// Called after every iteration with the number done and the batch loss.
using RunProgress = std::function<void(int64_t done, double loss)>;

// Trains from iteration `first_iteration` (the data order continues from there) to
// options.iterations. If `checkpoint` names a file whose key equals `key`, the run resumes from it;
// the file is removed when the run ends. Leaves the model holding its final weights.
RunOutcome train_run(RunContext& run, const RunOptions& options, int64_t first_iteration,
                     const std::string& checkpoint, const std::string& key, const RunProgress& progress = {});

}  // namespace sprig::prune
