#pragma once
#include "autograd/variable.h"

namespace sprig {

// x [N, C, H, W] -> [N, C, OH, OW]; stride defaults to the kernel size when 0.
Variable maxpool2d(const Variable& x, int64_t kernel, int64_t stride = 0, int64_t padding = 0);
Variable avgpool2d(const Variable& x, int64_t kernel, int64_t stride = 0, int64_t padding = 0);
// x [N, C, H, W] -> [N, C]: the mean of each plane (AdaptiveAvgPool2d(1) and a flatten, in one).
Variable global_avgpool2d(const Variable& x);

}  // namespace sprig
