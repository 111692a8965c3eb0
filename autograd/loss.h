#pragma once
#include <vector>

#include "autograd/variable.h"

namespace sprig {

Variable log_softmax(const Variable& logits);  // over the last axis of [rows, classes]
// Mean cross-entropy of logits [rows, classes] against integer labels; a rank-0 variable.
Variable cross_entropy(const Variable& logits, const std::vector<int32_t>& labels);

}  // namespace sprig
