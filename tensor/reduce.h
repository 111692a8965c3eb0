#pragma once
// Reductions over the whole tensor or one axis. Per-thread partial sums are combined in a fixed
// order, so results depend on the thread count but never vary between runs with the same count.
#include <vector>

#include "tensor/tensor.h"

namespace sprig {

Tensor sum(const Tensor& a);                                    // rank 0
Tensor sum(const Tensor& a, int64_t axis, bool keepdim = false);
Tensor mean(const Tensor& a);
Tensor mean(const Tensor& a, int64_t axis, bool keepdim = false);
Tensor max(const Tensor& a);
Tensor max(const Tensor& a, int64_t axis, bool keepdim = false);
int64_t argmax(const Tensor& a);                                // flat index of the first maximum
std::vector<int64_t> argmax(const Tensor& a, int64_t axis);     // one index per slice, in row-major order of the other axes

// Sums `a` down to `shape` over the axes that broadcasting stretched: the backward of broadcasting.
Tensor sum_to(const Tensor& a, const Shape& shape);

}  // namespace sprig
