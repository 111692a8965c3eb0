#pragma once
// Internal to the zoo: the model families of zoo_*.cpp, and what they share.
#include <vector>

#include "nn/zoo.h"

namespace sprig::nn::zoo {

// channels * width, rounded, at least 1.
int64_t scaled(int64_t channels, double width);
// Output channels of a model's convolutions: options.channels if given (exactly as many as
// `defaults`, all positive), else `defaults`.
std::vector<int64_t> conv_channels(const std::vector<int64_t>& defaults, const ModelOptions& options,
                                   const std::string& model);
// The input must be an image [C, H, W] at least min_side pixels high and wide.
void check_image_input(const ModelOptions& options, int64_t min_side);

ModulePtr relu();

ModulePtr conv_n(int64_t convs, const ModelOptions& options, Generator& gen);  // zoo_conv.cpp: 2, 4, 6
ModulePtr vgg(int64_t depth, const ModelOptions& options, Generator& gen);     // zoo_conv.cpp: 11, 13, 16, 19
ModulePtr resnet(int64_t depth, const ModelOptions& options, Generator& gen);  // zoo_resnet.cpp: 6n + 2

}  // namespace sprig::nn::zoo
