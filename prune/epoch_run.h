#pragma once
// Training counted in epochs, as the channel-pruning papers count it: SGD with the rate divided at
// fixed fractions of the run, the test set evaluated after every epoch. The run checkpoints itself
// after every epoch; started again with the same checkpoint path and key it continues from the last
// finished epoch with bit-identical results, and once finished it only reloads the final state.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/loader.h"
#include "nn/parameter_set.h"
#include "optim/factory.h"
#include "optim/optimizer.h"

namespace sprig::prune {

struct EpochRunOptions {
  int64_t epochs = 160;
  optim::OptimizerOptions optimizer{"sgd", 0.1, 0.9, false, 1e-4};
  std::vector<double> milestones = {0.5, 0.75};  // fractions of the run after which the rate is multiplied by gamma
  double gamma = 0.1;
};

struct EpochRecord {
  int64_t epoch = 0;  // 1-based
  double lr = 0.0;    // at the epoch's first step
  double train_loss = 0.0, train_accuracy = 0.0, test_loss = 0.0, test_accuracy = 0.0;
  double seconds = 0.0;  // training and evaluation
  nlohmann::json extra;  // what the caller's EpochEnd returned
};
nlohmann::json to_json(const EpochRecord& record);

struct EpochRunContext {
  nn::Module& model;
  nn::ParameterSet& parameters;
  DataLoader& train;
  DataLoader& test;
  std::vector<optim::Optimizer::GradientTerm> gradient_terms;  // e.g. prune/slimming.h's sparsity penalty
};

// After each epoch (1-based count of epochs done), before the checkpoint, with the records of the
// epochs before it (restored ones included): what to keep with its record. Whatever the caller
// tracks across epochs is rebuilt from those records, so it survives a resumption.
using EpochEnd = std::function<nlohmann::json(int64_t epoch, const std::vector<EpochRecord>& before)>;
// After every step: epochs done before it, steps done in this epoch, the batch loss.
using EpochProgress = std::function<void(int64_t epoch, int64_t step, double loss)>;

std::vector<EpochRecord> train_epochs(EpochRunContext& run, const EpochRunOptions& options, const std::string& checkpoint,
                                      const std::string& key, const EpochEnd& on_epoch_end = {},
                                      const EpochProgress& progress = {});

}  // namespace sprig::prune
