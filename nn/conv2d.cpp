#include "nn/conv2d.h"

#include "autograd/conv.h"
#include "autograd/sparse.h"
#include "nn/init.h"

namespace sprig::nn {

Conv2d::Conv2d(const Conv2dOptions& options, Generator& gen) : options_(options) {
  SPRIG_CHECK(options.in_channels > 0 && options.out_channels > 0 && options.kernel_size > 0 && options.stride > 0 &&
                  options.padding >= 0,
              "Conv2d: invalid options ", options.in_channels, " -> ", options.out_channels, ", kernel ",
              options.kernel_size, ", stride ", options.stride, ", padding ", options.padding);
  check_kernel_option(options.kernel, "Conv2d");
  const int64_t k = options.kernel_size;
  const int64_t fan_in = options.in_channels * k * k, fan_out = options.out_channels * k * k;
  Tensor weight = Tensor::empty({options.out_channels, options.in_channels, k, k});
  initialize(weight, options.init, fan_in, fan_out, gen);
  weight_ = &register_parameter("weight", weight, /*prunable=*/true);
  // Stride 1 may take the direct path, which wants the weight regrouped by input channel too.
  kernel_ = std::make_unique<MaskedWeight>(*weight_, options.kernel, kConvBreakEven, options.out_channels, fan_in,
                                           options.stride == 1 ? k * k : 1);
  if (options.bias) {
    Tensor bias = Tensor::empty({options.out_channels});
    torch_default_(bias, fan_in, gen);
    bias_ = &register_parameter("bias", bias, /*prunable=*/false);
  }
}

Variable Conv2d::forward(const Variable& input) {
  SPRIG_CHECK(input.dim() == 4 && input.shape()[1] == options_.in_channels, "Conv2d(", describe(),
              "): expected input [N, ", options_.in_channels, ", H, W], got ", input.shape());
  const Variable bias = bias_ ? bias_->variable : Variable();
  if (kernel_->sparse())
    return sparse_conv2d(input, weight_->variable, bias, kernel_->pattern(), options_.stride, options_.padding);
  return conv2d(input, kernel_->dense(), bias, options_.stride, options_.padding);
}

std::string Conv2d::describe() const {
  const auto& o = options_;
  return std::to_string(o.in_channels) + " -> " + std::to_string(o.out_channels) + ", " +
         std::to_string(o.kernel_size) + "x" + std::to_string(o.kernel_size) +
         (o.stride != 1 ? ", stride " + std::to_string(o.stride) : "") +
         (o.padding ? ", pad " + std::to_string(o.padding) : "") + (o.bias ? "" : ", no bias") +
         (options_.kernel == "auto" ? "" : ", " + options_.kernel + " kernel");
}

int64_t Conv2d::flops(const Shape&, const Shape& output) const {  // output: [Cout, OH, OW]
  const auto& o = options_;
  return 2 * output.numel() * o.in_channels * o.kernel_size * o.kernel_size;
}

}  // namespace sprig::nn
