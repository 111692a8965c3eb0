#include "autograd/supermask.h"

#include <algorithm>
#include <cmath>

#include "tensor/elementwise.h"
#include "tensor/top_k.h"

namespace sprig {

int64_t supermask_keep(int64_t numel, double k_percent) {
  SPRIG_CHECK(k_percent > 0 && k_percent <= 100, "supermask: k must be a percentage in (0, 100] but is ", k_percent);
  SPRIG_CHECK(numel > 0, "supermask: a layer needs at least one weight");
  const auto pruned = int64_t(std::floor((1.0 - k_percent / 100.0) * double(numel)));
  return std::max<int64_t>(1, numel - pruned);
}

namespace {
// gs += gy * w * sign(s), the straight-through score gradient. All: [n].
void add_score_gradient(const float* gy, const float* w, const float* s, float* gs, int64_t n) {
  for (int64_t i = 0; i < n; ++i) gs[i] += gy[i] * w[i] * float((s[i] > 0.0f) - (s[i] < 0.0f));
}
}  // namespace

Variable supermask_weight(const Variable& weight, const Variable& scores, int64_t keep) {
  SPRIG_CHECK(weight.shape() == scores.shape(), "supermask_weight: weight ", weight.shape(), " but scores ",
              scores.shape());
  const Tensor mask = top_k_abs_mask(scores.value(), keep);
  return Variable(mul(weight.value(), mask), {weight, scores}, [mask](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(mul(gy, mask));
    if (in[1].requires_grad())
      add_score_gradient(gy.data(), in[0].value().data(), in[1].value().data(), in[1].grad_accumulator().data(),
                         gy.numel());
  });
}

}  // namespace sprig
