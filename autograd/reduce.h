#pragma once
// Reductions; max sends the gradient to the first maximum of each slice.
#include "autograd/variable.h"

namespace sprig {

Variable sum(const Variable& a);
Variable sum(const Variable& a, int64_t axis, bool keepdim = false);
Variable mean(const Variable& a);
Variable mean(const Variable& a, int64_t axis, bool keepdim = false);
Variable max(const Variable& a);
Variable max(const Variable& a, int64_t axis, bool keepdim = false);

}  // namespace sprig
