#pragma once
#include "autograd/variable.h"

namespace sprig {

// x [N, C] or [N, C, ...]; weight (gamma) and bias (beta): [C] or undefined (1 and 0).
// training: normalises with the batch's own mean and biased variance per channel and, when
// running_mean/running_var are defined, updates them in place as PyTorch does:
//   running = (1 - momentum) * running + momentum * batch statistic (the variance unbiased, M / (M - 1)).
// Otherwise normalises with running_mean and running_var, which must be defined.
Variable batch_norm(const Variable& x, const Variable& weight, const Variable& bias, Tensor running_mean,
                    Tensor running_var, bool training, double momentum = 0.1, double eps = 1e-5);

}  // namespace sprig
