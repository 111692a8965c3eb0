#include "optim/adam.h"

#include <cmath>

namespace sprig::optim {

Adam::Adam(nn::ParameterSet& parameters, const AdamOptions& options)
    : Optimizer(parameters),
      options_(options),
      exp_avg_(Tensor::zeros({parameters.size()})),
      exp_avg_sq_(Tensor::zeros({parameters.size()})) {
  set_lr(options.lr);
  SPRIG_CHECK(options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 && options.beta2 < 1,
              "Adam: betas must be in [0, 1), got ", options.beta1, ", ", options.beta2);
  SPRIG_CHECK(options.eps > 0 && options.weight_decay >= 0, "Adam: eps must be > 0 and weight decay >= 0, got ",
              options.eps, ", ", options.weight_decay);
}

std::vector<std::pair<std::string, Tensor*>> Adam::state() {
  return {{"exp_avg", &exp_avg_}, {"exp_avg_sq", &exp_avg_sq_}};
}

void Adam::update(int64_t begin, int64_t end, const float* mask) {
  const double t = double(steps_);
  const AdamStep s{float(lr_),
                   float(options_.beta1),
                   float(options_.beta2),
                   float(options_.eps),
                   float(options_.weight_decay),
                   options_.decoupled,
                   float(1.0 - std::pow(options_.beta1, t)),
                   float(std::sqrt(1.0 - std::pow(options_.beta2, t)))};
  adam_update(parameters_.values().data() + begin, parameters_.gradients().data() + begin, exp_avg_.data() + begin,
              exp_avg_sq_.data() + begin, mask ? mask + begin : nullptr, end - begin, s);
}

void adam_update(float* p, const float* g, float* m, float* v, const float* mask, int64_t n, const AdamStep& s) {
  const float step_size = s.lr / s.bias_correction1;
  const float decay = s.decoupled ? 1.0f - s.lr * s.weight_decay : 1.0f;
  const float l2 = s.decoupled ? 0.0f : s.weight_decay;
  for (int64_t i = 0; i < n; ++i) {
    if (mask && mask[i] == 0.0f) {  // pruned: weight and both moments stay exactly zero
      p[i] = m[i] = v[i] = 0.0f;
      continue;
    }
    const float d = g[i] + l2 * p[i];
    m[i] = s.beta1 * m[i] + (1.0f - s.beta1) * d;
    v[i] = s.beta2 * v[i] + (1.0f - s.beta2) * d * d;
    p[i] = p[i] * decay - step_size * m[i] / (std::sqrt(v[i]) / s.sqrt_bias_correction2 + s.eps);
  }
}

}  // namespace sprig::optim
