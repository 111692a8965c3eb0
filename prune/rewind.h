#pragma once
// Resetting a pruned network's surviving weights: to a stored snapshot (θ0, or θk for late
// rewinding), or to fresh random values (the random re-initialisation control).
#include "nn/parameter_set.h"

namespace sprig::prune {

// A copy of every parameter value, in the flat layout of `parameters`.
Tensor snapshot(nn::ParameterSet& parameters);

// Copies `values` (a snapshot of the same model) into the parameters and zeroes pruned entries.
void rewind(nn::ParameterSet& parameters, const Tensor& values);

// Random re-initialisation under the current masks: `fresh` is a snapshot of the same architecture
// freshly initialised with another seed. density_aware scales each masked parameter by
// 1/sqrt(density), so the variance an output sees matches the initialiser's intent for the fan-in
// that survives, rather than the dense fan-in.
void reinitialize(nn::ParameterSet& parameters, const Tensor& fresh, bool density_aware);

}  // namespace sprig::prune
