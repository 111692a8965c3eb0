#include "prune/rewind.h"

#include <algorithm>
#include <cmath>

namespace sprig::prune {

Tensor snapshot(nn::ParameterSet& parameters) { return parameters.values().clone(); }

void rewind(nn::ParameterSet& parameters, const Tensor& values) {
  SPRIG_CHECK(values.numel() == parameters.size(), "rewind: snapshot has ", values.numel(),
              " values but the model has ", parameters.size());
  std::copy_n(values.data(), values.numel(), parameters.values().data());
  if (parameters.has_masks()) parameters.apply_masks();
}

void reinitialize(nn::ParameterSet& parameters, const Tensor& fresh, bool density_aware) {
  rewind(parameters, fresh);
  if (!density_aware) return;
  for (const auto& slot : parameters.slots()) {
    if (!slot.parameter->mask.defined()) continue;
    const double density = parameters.density(slot);
    if (density == 0.0 || density == 1.0) continue;
    const float scale = float(1.0 / std::sqrt(density));
    float* v = parameters.values().data() + slot.offset;
    for (int64_t i = 0; i < slot.numel; ++i) v[i] *= scale;
  }
}

}  // namespace sprig::prune
