#pragma once
// +, -, *, / with broadcasting, and scalar forms. Backward sums the gradient down to each input's
// shape (sum_to), so broadcasting needs no special case in the ops that use these.
#include "autograd/variable.h"

namespace sprig {

Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
Variable add(const Variable& a, float s);
Variable mul(const Variable& a, float s);
Variable pow(const Variable& a, float exponent);

inline Variable operator+(const Variable& a, const Variable& b) { return add(a, b); }
inline Variable operator-(const Variable& a, const Variable& b) { return sub(a, b); }
inline Variable operator*(const Variable& a, const Variable& b) { return mul(a, b); }
inline Variable operator/(const Variable& a, const Variable& b) { return div(a, b); }
inline Variable operator+(const Variable& a, float s) { return add(a, s); }
inline Variable operator*(const Variable& a, float s) { return mul(a, s); }

}  // namespace sprig
