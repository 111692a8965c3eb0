#pragma once
// Element-wise activations as layers: relu, tanh, sigmoid.
#include "nn/module.h"

namespace sprig::nn {

struct ActivationOptions {
  std::string function = "relu";

  template <typename V>
  void visit(V& v) {
    v("function", function, "relu, tanh or sigmoid");
  }
};

class Activation : public Module {
 public:
  explicit Activation(const ActivationOptions& options = {});
  Variable forward(const Variable& input) override { return function_(input); }
  FeatureMajor feature_major() const override { return FeatureMajor::passes; }  // element-wise
  Variable forward_feature_major(const Variable& xt) override { return function_(xt); }
  std::string type_name() const override;
  int64_t flops(const Shape& input, const Shape&) const override { return input.numel(); }

 private:
  ActivationOptions options_;
  Variable (*function_)(const Variable&);
};

}  // namespace sprig::nn
