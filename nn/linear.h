#pragma once
// Fully connected layer: y = x W^T + b, x [N, in] -> y [N, out]; W [out, in] as in PyTorch.
#include <memory>

#include "nn/masked_weight.h"
#include "nn/module.h"
#include "tensor/generator.h"

namespace sprig::nn {

struct LinearOptions {
  int64_t in_features = 1;
  int64_t out_features = 1;
  bool bias = true;
  std::string init = "torch_default";  // weight scheme (nn/init.h); the bias always uses torch_default
  std::string kernel = "auto";         // nn/masked_weight.h: auto, dense or sparse (CSR)

  template <typename V>
  void visit(V& v) {
    v("in_features", in_features, "inputs per example");
    v("out_features", out_features, "outputs per example");
    v("bias", bias, "learn an additive bias");
    v("init", init, "weight initialiser: kaiming_normal, kaiming_uniform, glorot_normal, glorot_uniform, torch_default");
    v("kernel", kernel, "weight kernel: auto (CSR below the measured break-even density), dense, sparse");
  }
};

class Linear : public Module {
 public:
  Linear(const LinearOptions& options, Generator& gen);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Linear"; }
  std::string describe() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;
  const LinearOptions& options() const { return options_; }
  bool uses_sparse_kernel() const override { return kernel_->sparse(); }
  FeatureMajor feature_major() const override {  // the CSR kernels' own layout
    return kernel_->sparse() ? FeatureMajor::prefers : FeatureMajor::no;
  }
  Variable forward_feature_major(const Variable& xt) override;

 private:
  LinearOptions options_;
  Parameter* weight_;
  Parameter* bias_ = nullptr;
  std::unique_ptr<MaskedWeight> kernel_;
};

}  // namespace sprig::nn
