#pragma once
// Weight initialisers, all drawing from an explicit Generator.
// fan_in = inputs per output unit (in_features, or in_channels*kh*kw), fan_out likewise.
#include <string>

#include "tensor/generator.h"

namespace sprig::nn {

void kaiming_normal_(Tensor& t, int64_t fan_in, Generator& gen);   // N(0, 2/fan_in)  (ReLU gain)
void kaiming_uniform_(Tensor& t, int64_t fan_in, Generator& gen);  // U(±sqrt(6/fan_in))
void glorot_normal_(Tensor& t, int64_t fan_in, int64_t fan_out, Generator& gen);   // N(0, 2/(fan_in+fan_out))
void glorot_uniform_(Tensor& t, int64_t fan_in, int64_t fan_out, Generator& gen);  // U(±sqrt(6/(fan_in+fan_out)))
// PyTorch's default for Linear and Conv2d weights and biases: U(±1/sqrt(fan_in)).
void torch_default_(Tensor& t, int64_t fan_in, Generator& gen);

// By name: "kaiming_normal", "kaiming_uniform", "glorot_normal", "glorot_uniform", "torch_default",
// "zeros", "ones". Unknown names throw, listing the known ones.
void initialize(Tensor& t, const std::string& scheme, int64_t fan_in, int64_t fan_out, Generator& gen);
bool is_init_scheme(const std::string& scheme);

}  // namespace sprig::nn
