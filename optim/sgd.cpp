#include "optim/sgd.h"

namespace sprig::optim {

Sgd::Sgd(nn::ParameterSet& parameters, const SgdOptions& options) : Optimizer(parameters), options_(options) {
  set_lr(options.lr);
  SPRIG_CHECK(options.momentum >= 0 && options.dampening >= 0 && options.weight_decay >= 0,
              "Sgd: momentum, dampening and weight decay must be >= 0, got ", options.momentum, ", ",
              options.dampening, ", ", options.weight_decay);
  SPRIG_CHECK(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
              "Sgd: Nesterov momentum needs momentum > 0 and no dampening");
  if (options.momentum > 0) momentum_ = Tensor::zeros({parameters.size()});
}

std::vector<std::pair<std::string, Tensor*>> Sgd::state() {
  if (!momentum_.defined()) return {};
  return {{"momentum", &momentum_}};
}

void Sgd::update(int64_t begin, int64_t end, const float* mask) {
  sgd_update(parameters_.values().data() + begin, parameters_.gradients().data() + begin,
             momentum_.defined() ? momentum_.data() + begin : nullptr, mask ? mask + begin : nullptr, end - begin,
             float(lr_), float(options_.momentum), float(options_.dampening), options_.nesterov,
             float(options_.weight_decay), steps_ == 1);
}

namespace {
// As adam_loop: one body, with and without mask, selects instead of branches so both vectorise.
template <bool Masked, bool Momentum>
void sgd_loop(float* p, const float* g, float* buf, const float* mask, int64_t n, float lr, float momentum,
              float dampening, bool nesterov, float weight_decay, bool first) {
  for (int64_t i = 0; i < n; ++i) {
    const bool live = !Masked || mask[i] != 0.0f;
    float d = g[i] + weight_decay * p[i];
    if constexpr (Momentum) {
      const float b = first ? d : momentum * buf[i] + (1.0f - dampening) * d;
      buf[i] = live ? b : 0.0f;
      d = nesterov ? d + momentum * b : b;
    }
    p[i] = live ? p[i] - lr * d : 0.0f;
  }
}
}  // namespace

void sgd_update(float* p, const float* g, float* buf, const float* mask, int64_t n, float lr, float momentum,
                float dampening, bool nesterov, float weight_decay, bool first) {
  if (mask && buf) sgd_loop<true, true>(p, g, buf, mask, n, lr, momentum, dampening, nesterov, weight_decay, first);
  else if (mask) sgd_loop<true, false>(p, g, buf, mask, n, lr, momentum, dampening, nesterov, weight_decay, first);
  else if (buf) sgd_loop<false, true>(p, g, buf, mask, n, lr, momentum, dampening, nesterov, weight_decay, first);
  else sgd_loop<false, false>(p, g, buf, mask, n, lr, momentum, dampening, nesterov, weight_decay, first);
}

}  // namespace sprig::optim
