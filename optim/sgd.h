#pragma once
// SGD with momentum, dampening, Nesterov and L2 weight decay, exactly as torch.optim.SGD.
#include "optim/optimizer.h"

namespace sprig::optim {

struct SgdOptions {
  double lr = 0.1;
  double momentum = 0.0;
  double dampening = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;

  template <typename V>
  void visit(V& v) {
    v("lr", lr, "learning rate");
    v("momentum", momentum, "momentum factor");
    v("dampening", dampening, "dampening of the momentum's gradient term");
    v("nesterov", nesterov, "Nesterov momentum");
    v("weight_decay", weight_decay, "L2 penalty added to the gradient");
  }
};

class Sgd : public Optimizer {
 public:
  Sgd(nn::ParameterSet& parameters, const SgdOptions& options);

 private:
  std::vector<std::pair<std::string, Tensor*>> flat_state() override;
  void update(int64_t begin, int64_t end, const float* mask) override;
  void update_live(int64_t begin, int64_t end) override;
  SgdOptions options_;
  Tensor momentum_;  // undefined without momentum
};

// One SGD update of n entries. p, g, buf: [n]; mask: [n] or null; first: the first step seeds buf with g.
void sgd_update(float* p, const float* g, float* buf, const float* mask, int64_t n, float lr, float momentum,
                float dampening, bool nesterov, float weight_decay, bool first);

}  // namespace sprig::optim
