#include "optim/sgd.h"

#include <cmath>

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

std::vector<std::pair<std::string, Tensor*>> Sgd::flat_state() {
  if (!momentum_.defined()) return {};
  return {{"momentum", &momentum_}};
}

void Sgd::update(int64_t begin, int64_t end, const float* mask) {
  sgd_update(parameters_.values().data() + begin, parameters_.gradients().data() + begin,
             momentum_.defined() ? momentum_.data() + begin : nullptr, mask ? mask + begin : nullptr, end - begin,
             float(lr_), float(options_.momentum), float(options_.dampening), options_.nesterov,
             float(options_.weight_decay), steps_ == 1);
}

void Sgd::update_live(int64_t begin, int64_t end) {
  for_live_blocks(begin, end, [&](float* p, const float* g, int64_t k, int64_t n) {
    sgd_update(p, g, momentum_.defined() ? live_state(0) + k : nullptr, nullptr, n, float(lr_), float(options_.momentum),
               float(options_.dampening), options_.nesterov, float(options_.weight_decay), steps_ == 1);
  });
}

namespace {
struct SgdScalars {
  float lr, momentum, dampening;
  bool nesterov;
  float weight_decay;
  bool first;  // the first step seeds the momentum with the gradient
};

// As adam_loop: one body, with and without mask, selects instead of branches so both vectorise,
// explicit fused multiply-adds so the vector loop and its scalar remainder round alike.
template <bool Masked, bool Momentum>
void sgd_loop(float* p, const float* g, float* buf, const float* mask, int64_t n, const SgdScalars s) {
  for (int64_t i = 0; i < n; ++i) {
    const bool live = !Masked || mask[i] != 0.0f;
    float d = std::fma(s.weight_decay, p[i], g[i]);
    if constexpr (Momentum) {
      const float b = s.first ? d : std::fma(s.momentum, buf[i], (1.0f - s.dampening) * d);
      buf[i] = live ? b : 0.0f;
      d = s.nesterov ? std::fma(s.momentum, b, d) : b;
    }
    p[i] = live ? std::fma(-s.lr, d, p[i]) : 0.0f;
  }
}

}  // namespace

void sgd_update(float* p, const float* g, float* buf, const float* mask, int64_t n, float lr, float momentum,
                float dampening, bool nesterov, float weight_decay, bool first) {
  const SgdScalars s{lr, momentum, dampening, nesterov, weight_decay, first};
  if (mask && buf) sgd_loop<true, true>(p, g, buf, mask, n, s);
  else if (mask) sgd_loop<true, false>(p, g, buf, mask, n, s);
  else if (buf) sgd_loop<false, true>(p, g, buf, mask, n, s);
  else sgd_loop<false, false>(p, g, buf, mask, n, s);
}

}  // namespace sprig::optim
