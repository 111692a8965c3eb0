#pragma once
// Models by name. Every model's options live in ModelOptions, so a configuration file (or a
// checkpoint's metadata) is enough to rebuild it.
#include <string>
#include <vector>

#include "nn/module.h"
#include "tensor/generator.h"

namespace sprig::nn {

struct ModelOptions {
  std::string name = "lenet_300_100";  // see model_names(); mlp_W1_W2_... is a pattern
  std::string init = "torch_default";  // weight initialiser of every Linear/Conv2d (nn/init.h)
  int64_t classes = 10;
  std::vector<int64_t> input = {1, 28, 28};  // one example's shape: channels, height, width
  // Convolutional models only. width multiplies the default channel counts; channels, if given,
  // replaces them: every convolution's output channels for conv2/4/6 and vgg*, every residual block's
  // inner width (its first convolution's outputs) for resnet*. A channel-pruned model is described so.
  double width = 1.0;
  std::vector<int64_t> channels = {};

  template <typename V>
  void visit(V& v) {
    v("name", name,
      "model from the zoo: lenet_300_100, lenet5, mlp_W1_W2_... (hidden widths), conv2, conv4, conv6, vgg11, vgg13, "
      "vgg16, vgg19, resnet20, resnet32, resnet44, resnet56, resnet110");
    v("init", init, "weight initialiser: kaiming_normal, kaiming_uniform, glorot_normal, glorot_uniform, torch_default");
    v("classes", classes, "number of output classes");
    v("input", input, "shape of one example: channels,height,width");
    v("width", width, "convolutional models: multiplier of the default channel counts");
    v("channels", channels,
      "convolutional models: channels of every convolution (conv*, vgg*) or residual block's inner width (resnet*); "
      "empty: the defaults");
  }
};

ModulePtr make_model(const ModelOptions& options, Generator& gen);
std::vector<std::string> model_names();  // the fixed names; mlp_* is a pattern

}  // namespace sprig::nn
