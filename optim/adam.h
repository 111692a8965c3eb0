#pragma once
// Adam (L2 weight decay added to the gradient) and AdamW (decoupled decay), as torch.optim.
#include "optim/optimizer.h"

namespace sprig::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool decoupled = false;  // true: AdamW

  template <typename V>
  void visit(V& v) {
    v("lr", lr, "learning rate");
    v("beta1", beta1, "decay of the first moment");
    v("beta2", beta2, "decay of the second moment");
    v("eps", eps, "added to the denominator");
    v("weight_decay", weight_decay, "weight decay (L2 for Adam, decoupled for AdamW)");
    v("decoupled", decoupled, "decoupled weight decay (AdamW)");
  }
};

struct AdamStep {  // the scalars of one step, computed once per step
  float lr, beta1, beta2, eps, weight_decay;
  bool decoupled;
  float bias_correction1, sqrt_bias_correction2;
};

class Adam : public Optimizer {
 public:
  Adam(nn::ParameterSet& parameters, const AdamOptions& options);

 private:
  std::vector<std::pair<std::string, Tensor*>> flat_state() override;
  void update(int64_t begin, int64_t end, const float* mask) override;
  void update_live(int64_t begin, int64_t end) override;
  AdamStep step_scalars() const;
  AdamOptions options_;
  Tensor exp_avg_, exp_avg_sq_;
};

// One Adam/AdamW update of n entries. p, g, m, v: [n]; mask: [n] or null.
void adam_update(float* p, const float* g, float* m, float* v, const float* mask, int64_t n, const AdamStep& s);

}  // namespace sprig::optim
