#include "nn/linear.h"

#include "autograd/matmul.h"
#include "autograd/sparse.h"
#include "nn/init.h"

namespace sprig::nn {

Linear::Linear(const LinearOptions& options, Generator& gen) : options_(options) {
  SPRIG_CHECK(options.in_features > 0 && options.out_features > 0, "Linear: sizes must be positive, got ",
              options.in_features, " -> ", options.out_features);
  check_kernel_option(options.kernel, "Linear");
  Tensor weight = Tensor::empty({options.out_features, options.in_features});
  initialize(weight, options.init, options.in_features, options.out_features, gen);
  weight_ = &register_parameter("weight", weight, /*prunable=*/true);
  kernel_ = std::make_unique<MaskedWeight>(*weight_, options.kernel, kLinearBreakEven, options.out_features,
                                           options.in_features);
  if (options.bias) {
    Tensor bias = Tensor::empty({options.out_features});
    torch_default_(bias, options.in_features, gen);
    bias_ = &register_parameter("bias", bias, /*prunable=*/false);
  }
}

Variable Linear::forward(const Variable& input) {
  SPRIG_CHECK(input.dim() == 2 && input.shape()[1] == options_.in_features, "Linear(", describe(),
              "): expected input [N, ", options_.in_features, "], got ", input.shape());
  const Variable bias = bias_ ? bias_->variable : Variable();
  if (kernel_->sparse()) return sparse_linear(input, weight_->variable, bias, kernel_->pattern());
  return linear(input, kernel_->dense(), bias);
}

Variable Linear::forward_feature_major(const Variable& xt) {
  SPRIG_CHECK(kernel_->sparse(), "Linear(", describe(), "): a feature-major forward needs the CSR kernel");
  SPRIG_CHECK(xt.dim() == 3 && xt.shape()[1] == options_.in_features, "Linear(", describe(),
              "): expected feature-major input [blocks, ", options_.in_features, ", Nb], got ", xt.shape());
  return sparse_linear_fm(xt, weight_->variable, bias_ ? bias_->variable : Variable(), kernel_->pattern());
}

std::string Linear::describe() const {
  return std::to_string(options_.in_features) + " -> " + std::to_string(options_.out_features) +
         (options_.bias ? "" : ", no bias") +
         (options_.kernel == "auto" ? "" : ", " + options_.kernel + " kernel");
}

int64_t Linear::flops(const Shape&, const Shape&) const {
  return 2 * options_.in_features * options_.out_features;
}

}  // namespace sprig::nn
