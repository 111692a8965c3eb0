#pragma once
// Element-wise functions of one variable.
#include "autograd/variable.h"

namespace sprig {

Variable neg(const Variable& a);
Variable exp(const Variable& a);
Variable log(const Variable& a);
Variable relu(const Variable& a);
Variable sigmoid(const Variable& a);
Variable tanh(const Variable& a);
Variable abs(const Variable& a);   // subgradient 0 at 0
Variable sign(const Variable& a);  // gradient 0 everywhere
Variable sqrt(const Variable& a);

inline Variable operator-(const Variable& a) { return neg(a); }

}  // namespace sprig
