#include "nn/residual.h"

#include "autograd/arithmetic.h"
#include "autograd/unary.h"
#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/sequential.h"

namespace sprig::nn {

BasicBlock::BasicBlock(const BasicBlockOptions& o, Generator& gen) : options_(o) {
  SPRIG_CHECK(o.in_channels > 0 && o.out_channels > 0 && o.mid_channels >= 0 && o.stride > 0,
              "BasicBlock: invalid options ", o.in_channels, " -> ", o.mid_channels, " -> ", o.out_channels,
              ", stride ", o.stride);
  auto conv = [&](int64_t in, int64_t out, int64_t kernel, int64_t stride) {
    return std::make_shared<Conv2d>(Conv2dOptions{in, out, kernel, stride, kernel / 2, false, o.init}, gen);
  };
  auto bn = [](int64_t channels) { return std::make_shared<BatchNorm2d>(BatchNormOptions{.num_features = channels}); };
  conv1_ = register_module("conv1", conv(o.in_channels, o.mid(), 3, o.stride));
  bn1_ = register_module("bn1", bn(o.mid()));
  conv2_ = register_module("conv2", conv(o.mid(), o.out_channels, 3, 1));
  bn2_ = register_module("bn2", bn(o.out_channels));
  if (o.projection())
    shortcut_ = register_module("shortcut", std::make_shared<Sequential>(std::vector<ModulePtr>{
                                                conv(o.in_channels, o.out_channels, 1, o.stride), bn(o.out_channels)}));
}

Variable BasicBlock::forward(const Variable& input) {
  const Variable h = relu((*bn1_)((*conv1_)(input)));
  const Variable residual = (*bn2_)((*conv2_)(h));
  return relu(add(residual, shortcut_ ? (*shortcut_)(input) : input));
}

std::string BasicBlock::describe() const {
  const auto& o = options_;
  return std::to_string(o.in_channels) + " -> " + (o.mid() != o.out_channels ? std::to_string(o.mid()) + " -> " : "") +
         std::to_string(o.out_channels) + (o.stride != 1 ? ", stride " + std::to_string(o.stride) : "") +
         (o.projection() ? ", projection" : "");
}

}  // namespace sprig::nn
