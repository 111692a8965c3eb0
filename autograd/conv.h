#pragma once
#include "autograd/variable.h"

namespace sprig {

// x [N, C, H, W], weight [Cout, C, kh, kw], bias [Cout] or undefined -> [N, Cout, OH, OW]
Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias, int64_t stride = 1,
                int64_t padding = 0);

}  // namespace sprig
