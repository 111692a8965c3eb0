// Plain convolutional stacks for CIFAR: the lottery-ticket Conv-2/4/6 and VGG with BatchNorm.
#include <map>

#include "nn/activation.h"
#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/pool.h"
#include "nn/sequential.h"
#include "nn/zoo_models.h"

namespace sprig::nn::zoo {

namespace {

constexpr int64_t M = 0;  // in a plan: 2x2 max pooling; other entries are 3x3 convolutions' widths

struct Features {
  ModulePtr layers;
  int64_t channels, pools;  // of the output
};

// A plan's convolutions (3x3, padding 1), each followed by BatchNorm (then without conv bias) or not,
// and a ReLU. The widths come from conv_channels, so a pruned model's configuration rebuilds it.
Features features(const std::vector<int64_t>& plan, bool batchnorm, const ModelOptions& o, Generator& gen,
                  const std::string& model) {
  std::vector<int64_t> defaults;
  for (int64_t entry : plan)
    if (entry != M) defaults.push_back(scaled(entry, o.width));
  const std::vector<int64_t> widths = conv_channels(defaults, o, model);
  auto layers = std::make_shared<Sequential>();
  Features out{layers, o.input[0], 0};
  size_t conv = 0;
  for (int64_t entry : plan) {
    if (entry == M) {
      layers->push_back(std::make_shared<MaxPool2d>(Pool2dOptions{2, 2, 0}));
      ++out.pools;
      continue;
    }
    const int64_t width = widths[conv++];
    layers->push_back(std::make_shared<Conv2d>(Conv2dOptions{out.channels, width, 3, 1, 1, !batchnorm, o.init}, gen));
    if (batchnorm) layers->push_back(std::make_shared<BatchNorm2d>(BatchNormOptions{.num_features = width}));
    layers->push_back(relu());
    out.channels = width;
  }
  return out;
}

ModulePtr linear(int64_t in, int64_t out, const ModelOptions& o, Generator& gen) {
  return std::make_shared<Linear>(LinearOptions{in, out, true, o.init}, gen);
}

}  // namespace

// Frankle & Carbin 2019, Figure 2: pairs of 3x3 convolutions (64, 128, 256 wide) each followed by 2x2
// max pooling, then fully connected 256, 256 and the classes. Children: features, flatten, classifier.
ModulePtr conv_n(int64_t convs, const ModelOptions& o, Generator& gen) {
  const std::string model = "conv" + std::to_string(convs);
  std::vector<int64_t> plan;
  for (int64_t stage = 0; stage < convs / 2; ++stage) plan.insert(plan.end(), {64 << stage, 64 << stage, M});
  check_image_input(o, int64_t{1} << (convs / 2));
  Features f = features(plan, false, o, gen, model);
  const int64_t flat = f.channels * (o.input[1] >> f.pools) * (o.input[2] >> f.pools);
  auto classifier = std::make_shared<Sequential>(std::vector<ModulePtr>{
      linear(flat, 256, o, gen), relu(), linear(256, 256, o, gen), relu(), linear(256, o.classes, o, gen)});
  auto net = std::make_shared<Sequential>();
  net->push_back("features", f.layers);
  net->push_back("flatten", std::make_shared<Flatten>());
  net->push_back("classifier", classifier);
  return net;
}

// VGG for CIFAR as in network slimming (Liu et al. 2017): 3x3 convolutions without bias, each with
// BatchNorm and ReLU, max pooling between stages, global average pooling and one linear classifier.
// Children: features (so features.1.weight is the first BatchNorm's gamma), pool, classifier.
ModulePtr vgg(int64_t depth, const ModelOptions& o, Generator& gen) {
  static const std::map<int64_t, std::vector<int64_t>> plans = {
      {11, {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512}},
      {13, {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512}},
      {16, {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512}},
      {19, {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512}},
  };
  check_image_input(o, 16);
  Features f = features(plans.at(depth), true, o, gen, "vgg" + std::to_string(depth));
  auto net = std::make_shared<Sequential>();
  net->push_back("features", f.layers);
  net->push_back("pool", std::make_shared<GlobalAvgPool2d>());
  net->push_back("classifier", linear(f.channels, o.classes, o, gen));
  return net;
}

}  // namespace sprig::nn::zoo
