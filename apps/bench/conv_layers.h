#pragma once
// The convolution layers both benchmarks time (bench, bench_sparse): ResNet-20 and VGG-16 on CIFAR.
#include <cstdint>
#include <string>

#include "tensor/conv.h"
#include "tensor/error.h"

namespace sprig::bench {

// A conv layer as the networks use it: 3x3 kernels with padding 1, or 1x1 projection shortcuts.
struct ConvLayer {
  const char* net;
  int64_t batch, in_channels, out_channels, size, kernel, stride;
  bool input_layer;  // the first layer: its input needs no gradient, so backward skips dx
  bool bias;         // ResNet convs feed batch norm and have none
  Conv2dGeometry geometry() const {
    Conv2dGeometry g;
    g.batch = batch, g.in_channels = in_channels, g.height = size, g.width = size;
    g.out_channels = out_channels, g.kernel_h = kernel, g.kernel_w = kernel, g.stride = stride;
    g.padding = kernel / 2;
    return g;
  }
  std::string name() const {
    using detail::concat;
    const std::string name = concat(net, " ", in_channels, "->", out_channels, " ", size, "x", size, " k", kernel);
    return stride == 1 ? name : concat(name, "s", stride);
  }
};

// ResNet-20 (CIFAR, batch 128): the distinct shapes, then the 1x1 stride-2 projection shortcuts.
// VGG-16 (CIFAR, batch 64): sizes are the layer's input, after the preceding pooling.
constexpr ConvLayer kConvLayers[] = {
    {"resnet20", 128, 3, 16, 32, 3, 1, true, false},     {"resnet20", 128, 16, 16, 32, 3, 1, false, false},
    {"resnet20", 128, 16, 32, 32, 3, 2, false, false},   {"resnet20", 128, 32, 32, 16, 3, 1, false, false},
    {"resnet20", 128, 32, 64, 16, 3, 2, false, false},   {"resnet20", 128, 64, 64, 8, 3, 1, false, false},
    {"resnet20", 128, 16, 32, 32, 1, 2, false, false},   {"resnet20", 128, 32, 64, 16, 1, 2, false, false},
    {"vgg16", 64, 3, 64, 32, 3, 1, true, true},          {"vgg16", 64, 64, 64, 32, 3, 1, false, true},
    {"vgg16", 64, 64, 128, 16, 3, 1, false, true},       {"vgg16", 64, 128, 128, 16, 3, 1, false, true},
    {"vgg16", 64, 128, 256, 8, 3, 1, false, true},       {"vgg16", 64, 256, 256, 8, 3, 1, false, true},
    {"vgg16", 64, 256, 512, 4, 3, 1, false, true},       {"vgg16", 64, 512, 512, 4, 3, 1, false, true},
    {"vgg16", 64, 512, 512, 2, 3, 1, false, true},
};

}  // namespace sprig::bench
