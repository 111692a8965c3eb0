#pragma once
// The basic block of CIFAR ResNets (He et al. 2016), with option B shortcuts:
//   y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
// conv1 is 3x3 with the block's stride, conv2 3x3; the shortcut is the identity, or a 1x1 conv with the
// stride and a BatchNorm when the stride or the width changes. Children are named as in the common
// PyTorch CIFAR ResNets: conv1, bn1, conv2, bn2 and shortcut (shortcut.0 conv, shortcut.1 BatchNorm).
// The options describe the whole shape, so channel pruning can rebuild a narrower block.
#include "nn/module.h"
#include "tensor/generator.h"

namespace sprig::nn {

struct BasicBlockOptions {
  int64_t in_channels = 16;
  int64_t out_channels = 16;
  int64_t mid_channels = 0;  // conv1's outputs (conv2's inputs); 0: out_channels
  int64_t stride = 1;
  std::string init = "torch_default";

  template <typename V>
  void visit(V& v) {
    v("in_channels", in_channels, "input channels");
    v("out_channels", out_channels, "output channels (of conv2 and the shortcut)");
    v("mid_channels", mid_channels, "channels between the two convolutions (0: out_channels)");
    v("stride", stride, "stride of conv1 and the shortcut");
    v("init", init, "convolution weight initialiser (nn/init.h)");
  }
  int64_t mid() const { return mid_channels ? mid_channels : out_channels; }
  bool projection() const { return stride != 1 || in_channels != out_channels; }
};

class BasicBlock : public Module {
 public:
  BasicBlock(const BasicBlockOptions& options, Generator& gen);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "BasicBlock"; }
  std::string describe() const override;
  const BasicBlockOptions& options() const { return options_; }

 private:
  BasicBlockOptions options_;
  ModulePtr conv1_, bn1_, conv2_, bn2_, shortcut_;  // shortcut_ null for the identity
};

}  // namespace sprig::nn
