#pragma once
// The layers bench_sparse times, each as sprig dense (GEMMs or im2col + GEMM on the whole weight)
// and sprig CSR at a density: forward, input gradient, weight gradient, and the layer's forward
// plus backward through nn/ and autograd (what a training step pays).
#include <string>
#include <vector>

#include "apps/bench/conv_layers.h"
#include "apps/bench/timing.h"
#include "apps/common/options.h"

namespace sprig::bench {

struct LayerCase {
  std::string name;
  bool conv = false;
  int64_t batch = 0, in = 0, out = 0;  // linear: x [batch, in] -> y [batch, out]
  ConvLayer layer{};                    // conv
  Shape weight_shape() const;
  double dense_flops() const;     // one product (the forward) on the whole weight
  cli::Json spec() const;         // what the PyTorch twin needs to build the same case
};

// LeNet-300-100's layers at batch 60 and 128, two square layers, ResNet-20's and VGG-16's convs.
std::vector<LayerCase> layer_cases();

struct Parts {  // seconds per call (medians); input_grad is 0 for a network's first conv
  double forward = 0, input_grad = 0, weight_grad = 0;
  double layer = 0;  // nn layer forward + backward through autograd
  double sum() const { return forward + input_grad + weight_grad; }
};

// density < 0: dense kernels on the unpruned weight; else CSR kernels with a random mask.
Parts time_layer_case(const LayerCase& c, double density, const TimingPlan& plan);

}  // namespace sprig::bench
