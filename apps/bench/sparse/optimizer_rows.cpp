#include "optimizer_rows.h"

#include "nn/parameter_set.h"
#include "nn/zoo.h"
#include "optim/adam.h"

namespace sprig::bench {

OptimizerTiming time_optimizer_step(double density, const TimingPlan& plan) {
  Generator gen(3);
  nn::ModulePtr model = nn::make_model(nn::ModelOptions{}, gen);
  nn::ParameterSet set(*model);
  for (const auto& slot : set.slots()) {
    if (!slot.parameter->prunable) continue;
    Tensor mask = Tensor::empty(slot.parameter->value().shape());
    for (int64_t i = 0; i < mask.numel(); ++i) mask.data()[i] = gen.uniform_double() < density ? 1.0f : 0.0f;
    set.set_mask(slot.name, mask);
  }
  set.gradients().copy_(normal({set.size()}, gen));
  optim::Adam adam(set, {.lr = 1e-4});
  auto time_path = [&](optim::Optimizer::Path path) {
    adam.set_path(path);
    return measure(plan, [&] { adam.step(); }).median;
  };
  OptimizerTiming t;
  t.density = density;
  t.masked = time_path(optim::Optimizer::Path::masked);
  t.live = time_path(optim::Optimizer::Path::live);
  return t;
}

}  // namespace sprig::bench
