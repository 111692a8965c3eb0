#pragma once
// Training helpers for edge-popup supermasks (nn/supermask.h): turning the learnt scores into
// ordinary sprig masks, and fitting a target network's outputs instead of labels (Malach et al.
// 2020, "Proving the lottery ticket hypothesis: pruning is all you need": a random network of twice
// the depth, wide enough, contains a subnetwork approximating any given network).
//
// Classification training needs nothing here: optim::train_epoch and optim::evaluate take the
// Supermask as the model and an optimiser over the Supermask's own ParameterSet (the scores).
#include <string>

#include "data/loader.h"
#include "nn/parameter_set.h"
#include "nn/supermask.h"
#include "optim/optimizer.h"
#include "optim/schedule.h"

namespace sprig::prune {

// Sets the supermask's top-k masks on `model_parameters`, a ParameterSet of supermask.model(): from
// then on the model alone computes what the Supermask does (pruned weights are zeroed).
void apply_supermask(const nn::Supermask& supermask, nn::ParameterSet& model_parameters);

// How far student logits [N, C] are from a target's: "mse", mean over all entries of the squared
// difference, or "kl", mean over rows of KL(softmax(target) || softmax(student)). Rank 0.
Variable distillation_loss(const Variable& student_logits, const Tensor& target_logits, const std::string& objective);
void check_objective(const std::string& objective);  // mse or kl

struct FitStats {
  double loss = 0;       // distillation_loss, mean over examples
  double mse = 0;        // mean squared logit difference, whatever the objective
  double accuracy = 0;   // student against the labels
  double agreement = 0;  // student's argmax equals the target's
  int64_t examples = 0;
};

// One pass of `loader`'s epoch `epoch`, each step fitting `student` to `target`'s logits (target is
// evaluated without gradients, in eval mode). The schedule, if given, sets the rate before each step.
FitStats fit_epoch(nn::Module& student, nn::Module& target, optim::Optimizer& optimizer, DataLoader& loader,
                   int64_t epoch, const std::string& objective, const optim::Schedule* schedule = nullptr);

// The same measures over one pass of `loader`, without gradients.
FitStats evaluate_fit(nn::Module& student, nn::Module& target, DataLoader& loader, const std::string& objective);

}  // namespace sprig::prune
