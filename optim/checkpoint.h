#pragma once
// Training checkpoints as safetensors (data/safetensors.h), readable from Python:
//   "<parameter or buffer name>"  F32, the model's dotted names ("0.weight")
//   "mask/<parameter name>"       U8 0/1, for parameters that carry a mask
//   "optimizer/<state name>"      F32, flat optimiser state ("exp_avg", "momentum", ...)
//   metadata: sprig.step, sprig.epoch, sprig.rng (generator state), sprig.config (the run's options as JSON),
//             sprig.notes (the caller's, e.g. an experiment's per-epoch records)
// Loading checks every name and shape against the model it loads into, so a checkpoint of another
// architecture is refused with the first difference named.
#include <array>
#include <cstdint>
#include <string>

#include "nn/parameter_set.h"
#include "optim/optimizer.h"

namespace sprig::optim {

struct TrainingProgress {
  int64_t epoch = 0;                 // completed epochs
  int64_t step = 0;                  // completed optimiser steps
  std::array<uint64_t, 4> rng{};     // the run's generator state
  std::string config;                // the run's options, JSON
  std::string notes;                 // anything else the caller keeps with it, JSON ("" if none)
};

// optimizer may be null (weights only).
void save_checkpoint(const std::string& path, nn::Module& model, nn::ParameterSet& parameters,
                     Optimizer* optimizer, const TrainingProgress& progress);
TrainingProgress load_checkpoint(const std::string& path, nn::Module& model, nn::ParameterSet& parameters,
                                 Optimizer* optimizer);

}  // namespace sprig::optim
