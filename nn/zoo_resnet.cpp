// ResNets for CIFAR (He et al. 2016, section 4.2): a 3x3 convolution to 16 channels, three stages of
// n basic blocks (16, 32, 64 channels; the second and third start with stride 2), global average
// pooling and a linear classifier: 6n + 2 layers. Shortcuts are option B (1x1 projections where the
// shape changes). Names follow the common PyTorch CIFAR ResNets: conv1, bn1, layer1.0.conv1, ..., linear.
#include "nn/activation.h"
#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/pool.h"
#include "nn/residual.h"
#include "nn/sequential.h"
#include "nn/zoo_models.h"

namespace sprig::nn::zoo {

// options.width scales the stage widths; options.channels, if given, lists every block's inner width
// (conv1's outputs), the channels that channel pruning removes.
ModulePtr resnet(int64_t depth, const ModelOptions& o, Generator& gen) {
  const std::string model = "resnet" + std::to_string(depth);
  SPRIG_CHECK(depth >= 8 && (depth - 2) % 6 == 0, model, ": depth must be 6n + 2");
  check_image_input(o, 4);
  const int64_t blocks = (depth - 2) / 6;
  const std::vector<int64_t> stages = {scaled(16, o.width), scaled(32, o.width), scaled(64, o.width)};
  std::vector<int64_t> inner_defaults;
  for (int64_t stage : stages) inner_defaults.insert(inner_defaults.end(), blocks, stage);
  const std::vector<int64_t> inner = conv_channels(inner_defaults, o, model);

  auto net = std::make_shared<Sequential>();
  net->push_back("conv1", std::make_shared<Conv2d>(Conv2dOptions{o.input[0], stages[0], 3, 1, 1, false, o.init}, gen));
  net->push_back("bn1", std::make_shared<BatchNorm2d>(BatchNormOptions{.num_features = stages[0]}));
  net->push_back("relu", relu());
  int64_t channels = stages[0];
  for (size_t s = 0; s < stages.size(); ++s) {
    auto layer = std::make_shared<Sequential>();
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t stride = s > 0 && b == 0 ? 2 : 1;
      const BasicBlockOptions block{channels, stages[s], inner[s * blocks + b], stride, o.init};
      layer->push_back(std::make_shared<BasicBlock>(block, gen));
      channels = stages[s];
    }
    net->push_back("layer" + std::to_string(s + 1), layer);
  }
  net->push_back("pool", std::make_shared<GlobalAvgPool2d>());
  net->push_back("linear", std::make_shared<Linear>(LinearOptions{channels, o.classes, true, o.init}, gen));
  return net;
}

}  // namespace sprig::nn::zoo
