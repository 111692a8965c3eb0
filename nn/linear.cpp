#include "nn/linear.h"

#include "autograd/matmul.h"
#include "nn/init.h"

namespace sprig::nn {

Linear::Linear(const LinearOptions& options, Generator& gen) : options_(options) {
  SPRIG_CHECK(options.in_features > 0 && options.out_features > 0, "Linear: sizes must be positive, got ",
              options.in_features, " -> ", options.out_features);
  Tensor weight = Tensor::empty({options.out_features, options.in_features});
  initialize(weight, options.init, options.in_features, options.out_features, gen);
  weight_ = &register_parameter("weight", weight, /*prunable=*/true);
  if (options.bias) {
    Tensor bias = Tensor::empty({options.out_features});
    torch_default_(bias, options.in_features, gen);
    bias_ = &register_parameter("bias", bias, /*prunable=*/false);
  }
}

Variable Linear::forward(const Variable& input) {
  SPRIG_CHECK(input.dim() == 2 && input.shape()[1] == options_.in_features, "Linear(", describe(),
              "): expected input [N, ", options_.in_features, "], got ", input.shape());
  return linear(input, weight_->variable, bias_ ? bias_->variable : Variable());
}

std::string Linear::describe() const {
  return std::to_string(options_.in_features) + " -> " + std::to_string(options_.out_features) +
         (options_.bias ? "" : ", no bias");
}

int64_t Linear::flops(const Shape&, const Shape&) const {
  return 2 * options_.in_features * options_.out_features;
}

}  // namespace sprig::nn
