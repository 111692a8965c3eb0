#pragma once
// The calls a training step makes, each timed as one row: the LeNet-300-100 GEMMs, the ResNet-20
// and VGG-16 (CIFAR) convolutions, and the large square sgemm that sets the ceiling.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "report.h"
#include "timing.h"

namespace sprig::bench {

using RowSink = std::function<void(const Row&)>;  // called as each row is measured

// Only calls whose name contains `filter` are timed (conv layers match on the layer's name).
void lenet_gemm_rows(const TimingPlan& plan, std::string_view filter, const RowSink& sink);
void conv_rows(const TimingPlan& plan, std::string_view filter, const RowSink& sink);
// The conv layers conv_rows times, for the PyTorch twin: name, batch, in_channels, out_channels,
// size, kernel, stride, input_layer, bias.
nlohmann::json conv_layer_list(std::string_view filter);
// Best GFLOP/s of an n x n x n sgemm on the current threads.
double sgemm_ceiling(const TimingPlan& plan, int64_t n);

}  // namespace sprig::bench
