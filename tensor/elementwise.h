#pragma once
// Element-wise maths. Binary ops broadcast as NumPy does (sizes align from the last axis; a size of
// 1 stretches). Results are fresh contiguous tensors; names ending in _ work in place.
#include "tensor/tensor.h"

namespace sprig {

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);  // throws naming op and shapes

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);

Tensor add(const Tensor& a, float s);
Tensor mul(const Tensor& a, float s);
Tensor pow(const Tensor& a, float exponent);

Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor relu(const Tensor& a);
Tensor sigmoid(const Tensor& a);
Tensor tanh(const Tensor& a);
Tensor abs(const Tensor& a);
Tensor sign(const Tensor& a);  // -1, 0 or 1
Tensor sqrt(const Tensor& a);

// Activation backwards from the output gradient gy and the forward output y (same shapes), one pass each.
Tensor relu_backward(const Tensor& gy, const Tensor& y);     // gy * (y > 0)
Tensor sigmoid_backward(const Tensor& gy, const Tensor& y);  // gy * y * (1 - y)
Tensor tanh_backward(const Tensor& gy, const Tensor& y);     // gy * (1 - y^2)

// In place, same number of elements (no broadcasting): dst += alpha * src, dst *= s.
void axpy_(Tensor& dst, float alpha, const Tensor& src);
void scale_(Tensor& dst, float s);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }

// Max |a - b| over all elements (same shapes); what tests compare kernels with.
float max_abs_diff(const Tensor& a, const Tensor& b);

}  // namespace sprig
