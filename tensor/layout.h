#pragma once
// Moving elements around. reshape/flatten/slice are views (see Tensor); these copy.
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace sprig {

Tensor transpose(const Tensor& a, int64_t axis0 = -2, int64_t axis1 = -1);
// x: [rows, cols] with rows ldx apart -> y: [cols, rows] with rows ldy apart, y[c, r] = x[r, c];
// y's columns past `rows` are left alone, or set to 0 with zero_padding (the sparse Linear pads its
// batch to whole vectors): by the thread that wrote the row, whose cache holds its line.
void transpose_into(const float* x, int64_t rows, int64_t cols, int64_t ldx, float* y, int64_t ldy,
                    bool zero_padding = false);
Tensor permute(const Tensor& a, const std::vector<int64_t>& order);  // result axis i = a's axis order[i]
Tensor concat(const std::vector<Tensor>& parts);                    // along the first axis
Tensor one_hot(const std::vector<int32_t>& labels, int64_t classes);  // [labels.size(), classes]
Tensor broadcast_to(const Tensor& a, const Shape& shape);  // a stretched as broadcasting would; sum_to's inverse

}  // namespace sprig
