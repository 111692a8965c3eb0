#pragma once
// Moving elements around. reshape/flatten/slice are views (see Tensor); these copy.
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace sprig {

Tensor transpose(const Tensor& a, int64_t axis0 = -2, int64_t axis1 = -1);
Tensor permute(const Tensor& a, const std::vector<int64_t>& order);  // result axis i = a's axis order[i]
Tensor concat(const std::vector<Tensor>& parts);                    // along the first axis
Tensor one_hot(const std::vector<int32_t>& labels, int64_t classes);  // [labels.size(), classes]
Tensor broadcast_to(const Tensor& a, const Shape& shape);  // a stretched as broadcasting would; sum_to's inverse

}  // namespace sprig
