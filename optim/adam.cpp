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

std::vector<std::pair<std::string, Tensor*>> Adam::flat_state() {
  return {{"exp_avg", &exp_avg_}, {"exp_avg_sq", &exp_avg_sq_}};
}

AdamStep Adam::step_scalars() const {
  const double t = double(steps_);
  return AdamStep{float(lr_),
                   float(options_.beta1),
                   float(options_.beta2),
                   float(options_.eps),
                   float(options_.weight_decay),
                   options_.decoupled,
                   float(1.0 - std::pow(options_.beta1, t)),
                   float(std::sqrt(1.0 - std::pow(options_.beta2, t)))};
}

void Adam::update(int64_t begin, int64_t end, const float* mask) {
  adam_update(parameters_.values().data() + begin, parameters_.gradients().data() + begin, exp_avg_.data() + begin,
              exp_avg_sq_.data() + begin, mask ? mask + begin : nullptr, end - begin, step_scalars());
}

void Adam::update_live(int64_t begin, int64_t end) {
  const AdamStep s = step_scalars();
  for_live_blocks(begin, end, [&](float* p, const float* g, int64_t k, int64_t n) {
    adam_update(p, g, live_state(0) + k, live_state(1) + k, nullptr, n, s);
  });
}

namespace {
// The loop body once, compiled with and without a mask. Selects rather than branches, so both
// versions vectorise; explicit fused multiply-adds, so the vector loop and its scalar remainder
// round alike (the compiler would contract each its own way); a pruned entry's weight and moments
// are set to exactly zero.
template <bool Masked>
void adam_loop(float* p, const float* g, float* m, float* v, const float* mask, int64_t n, const AdamStep& s) {
  const float step_size = s.lr / s.bias_correction1;
  const float decay = s.decoupled ? 1.0f - s.lr * s.weight_decay : 1.0f;
  const float l2 = s.decoupled ? 0.0f : s.weight_decay;
  const float inv_sqrt_bc2 = 1.0f / s.sqrt_bias_correction2;
  // Locals, not s.beta1: the stores below might alias `s` as far as GCC knows, and re-reading it
  // every iteration kept the masked loop scalar (10x slower).
  const float beta1 = s.beta1, beta2 = s.beta2, eps = s.eps;
  for (int64_t i = 0; i < n; ++i) {
    const float d = std::fma(l2, p[i], g[i]);
    const float m_new = std::fma(beta1, m[i], (1.0f - beta1) * d);
    const float v_new = std::fma(beta2, v[i], (1.0f - beta2) * d * d);
    const float p_new = std::fma(p[i], decay, -(step_size * m_new / std::fma(std::sqrt(v_new), inv_sqrt_bc2, eps)));
    const bool live = !Masked || mask[i] != 0.0f;
    m[i] = live ? m_new : 0.0f;
    v[i] = live ? v_new : 0.0f;
    p[i] = live ? p_new : 0.0f;
  }
}
}  // namespace

void adam_update(float* p, const float* g, float* m, float* v, const float* mask, int64_t n, const AdamStep& s) {
  if (mask) adam_loop<true>(p, g, m, v, mask, n, s);
  else adam_loop<false>(p, g, m, v, mask, n, s);
}

}  // namespace sprig::optim
