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
  sgd_update_live(parameters_.values().data(), parameters_.gradients().data(),
                  momentum_.defined() ? live_state(0) + begin : nullptr, live_index() + begin, end - begin, float(lr_),
                  float(options_.momentum), float(options_.dampening), options_.nesterov, float(options_.weight_decay),
                  steps_ == 1);
}

namespace {
struct SgdScalars {
  float lr, momentum, dampening;
  bool nesterov;
  float weight_decay;
  bool first;  // the first step seeds the momentum with the gradient
};

// As adam_loop: one body for every entry with and without mask and for listed entries (pi(k) is the
// k-th entry's index in p and g, si(k) in buf), selects instead of branches so the contiguous
// versions vectorise, and explicit fused multiply-adds so the vector and scalar versions round alike.
template <bool Masked, bool Momentum, typename ParamAt, typename StateAt>
void sgd_loop(float* p, const float* g, float* buf, const float* mask, int64_t n, const SgdScalars s, ParamAt pi,
              StateAt si) {
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = pi(k), j = si(k);
    const bool live = !Masked || mask[i] != 0.0f;
    float d = std::fma(s.weight_decay, p[i], g[i]);
    if constexpr (Momentum) {
      const float b = s.first ? d : std::fma(s.momentum, buf[j], (1.0f - s.dampening) * d);
      buf[j] = live ? b : 0.0f;
      d = s.nesterov ? std::fma(s.momentum, b, d) : b;
    }
    p[i] = live ? std::fma(-s.lr, d, p[i]) : 0.0f;
  }
}

constexpr auto contiguous = [](int64_t k) { return k; };

template <typename ParamAt>
void sgd_dispatch(float* p, const float* g, float* buf, const float* mask, int64_t n, const SgdScalars& s,
                  ParamAt pi) {
  if (mask && buf) sgd_loop<true, true>(p, g, buf, mask, n, s, pi, contiguous);
  else if (mask) sgd_loop<true, false>(p, g, buf, mask, n, s, pi, contiguous);
  else if (buf) sgd_loop<false, true>(p, g, buf, mask, n, s, pi, contiguous);
  else sgd_loop<false, false>(p, g, buf, mask, n, s, pi, contiguous);
}
}  // namespace

void sgd_update(float* p, const float* g, float* buf, const float* mask, int64_t n, float lr, float momentum,
                float dampening, bool nesterov, float weight_decay, bool first) {
  sgd_dispatch(p, g, buf, mask, n, {lr, momentum, dampening, nesterov, weight_decay, first}, contiguous);
}

void sgd_update_live(float* p, const float* g, float* buf, const int64_t* index, int64_t count, float lr,
                     float momentum, float dampening, bool nesterov, float weight_decay, bool first) {
  sgd_dispatch(p, g, buf, nullptr, count, {lr, momentum, dampening, nesterov, weight_decay, first},
               [index](int64_t k) { return index[k]; });
}

}  // namespace sprig::optim
