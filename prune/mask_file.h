#pragma once
// Masks by parameter name in a safetensors file (U8 0/1 arrays, parameter-shaped), readable from
// Python: numpy can show which weights a ticket kept.
#include <map>
#include <string>

#include "tensor/tensor.h"

namespace sprig::prune {

void save_masks(const std::string& path, const std::map<std::string, Tensor>& masks);  // atomically
std::map<std::string, Tensor> load_masks(const std::string& path);  // throws naming the file

}  // namespace sprig::prune
