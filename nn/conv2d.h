#pragma once
// 2-D convolution layer, NCHW: x [N, Cin, H, W] -> [N, Cout, OH, OW]; weight [Cout, Cin, k, k].
#include <memory>

#include "nn/masked_weight.h"
#include "nn/module.h"
#include "tensor/generator.h"

namespace sprig::nn {

struct Conv2dOptions {
  int64_t in_channels = 1;
  int64_t out_channels = 1;
  int64_t kernel_size = 3;
  int64_t stride = 1;
  int64_t padding = 0;
  bool bias = true;
  std::string init = "torch_default";
  std::string kernel = "auto";  // nn/masked_weight.h: auto, dense or sparse (CSR against im2col columns)

  template <typename V>
  void visit(V& v) {
    v("in_channels", in_channels, "input channels");
    v("out_channels", out_channels, "output channels (filters)");
    v("kernel_size", kernel_size, "square kernel side");
    v("stride", stride, "step between windows");
    v("padding", padding, "zero padding on each side");
    v("bias", bias, "learn an additive bias per output channel");
    v("init", init, "weight initialiser (nn/init.h)");
    v("kernel", kernel, "weight kernel: auto (CSR below the measured break-even density), dense, sparse");
  }
};

class Conv2d : public Module {
 public:
  Conv2d(const Conv2dOptions& options, Generator& gen);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Conv2d"; }
  std::string describe() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;
  const Conv2dOptions& options() const { return options_; }
  bool uses_sparse_kernel() const override { return kernel_->sparse(); }

 private:
  Conv2dOptions options_;
  Parameter* weight_;
  Parameter* bias_ = nullptr;
  std::unique_ptr<MaskedWeight> kernel_;
};

}  // namespace sprig::nn
