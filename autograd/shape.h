#pragma once
// Shape changes. reshape/flatten/slice share storage with their input in the forward pass.
#include <vector>

#include "autograd/variable.h"

namespace sprig {

Variable reshape(const Variable& a, Shape shape);
Variable flatten(const Variable& a, int64_t start_axis = 1);  // [N, ...] -> [N, rest] by default
Variable transpose(const Variable& a, int64_t axis0 = -2, int64_t axis1 = -1);
Variable permute(const Variable& a, const std::vector<int64_t>& order);
Variable slice(const Variable& a, int64_t begin, int64_t end);  // rows of the first axis
Variable concat(const std::vector<Variable>& parts);           // along the first axis

}  // namespace sprig
