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

void sgd_update(float* p, const float* g, float* buf, const float* mask, int64_t n, float lr, float momentum,
                float dampening, bool nesterov, float weight_decay, bool first) {
  for (int64_t i = 0; i < n; ++i) {
    if (mask && mask[i] == 0.0f) {  // pruned: weight and state stay exactly zero
      p[i] = 0.0f;
      if (buf) buf[i] = 0.0f;
      continue;
    }
    float d = g[i] + weight_decay * p[i];
    if (buf) {
      buf[i] = first ? d : momentum * buf[i] + (1.0f - dampening) * d;
      d = nesterov ? d + momentum * buf[i] : buf[i];
    }
    p[i] -= lr * d;
  }
}

}  // namespace sprig::optim
