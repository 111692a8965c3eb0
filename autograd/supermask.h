#pragma once
// Edge-popup (Ramanujan et al. 2020): a frozen weight times the 0/1 mask of the `keep` largest
// |scores| of its layer. The mask is a step function of the scores, whose true gradient is zero
// almost everywhere, so edge-popup trains the scores with the straight-through estimator (STE):
// the mask is treated as if it were |scores| itself on the way back.
//   y          = weight * topk(|scores|)
//   d/d weight = gy * mask                     (the true gradient)
//   d/d scores = gy * weight * sign(scores)    (STE: the gradient of weight * |scores|)
// sign(scores) is there because the paper's code ranks scores.abs() and autograd passes through abs.
#include <cstdint>

#include "autograd/variable.h"

namespace sprig {

// How many of `numel` weights a layer keeps at k percent, as the paper's code counts:
// numel - floor((1 - k/100) numel), at least 1. Throws unless 0 < k <= 100.
int64_t supermask_keep(int64_t numel, double k_percent);

// weight, scores: same shape -> that shape.
Variable supermask_weight(const Variable& weight, const Variable& scores, int64_t keep);

}  // namespace sprig
