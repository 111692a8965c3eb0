#pragma once
// 2-D convolution, NCHW, square stride and zero padding on all sides (as PyTorch's Conv2d).
// Fast path: im2col + GEMM. conv2d_*_reference are direct loops, kept for the tests.
#include <cstdint>

#include "tensor/tensor.h"

namespace sprig {

struct Conv2dGeometry {
  int64_t batch = 1, in_channels = 1, height = 1, width = 1;
  int64_t out_channels = 1, kernel_h = 1, kernel_w = 1, stride = 1, padding = 0;
  int64_t out_h() const { return (height + 2 * padding - kernel_h) / stride + 1; }
  int64_t out_w() const { return (width + 2 * padding - kernel_w) / stride + 1; }
  int64_t patch() const { return in_channels * kernel_h * kernel_w; }  // rows of the im2col matrix
  void check(const char* op) const;  // throws if sizes are non-positive or the kernel does not fit
};

// One image. x: [C, H, W] -> cols: [C*kh*kw, OH*OW]; col2im adds the columns back (its adjoint).
void im2col(const Conv2dGeometry& g, const float* x, float* cols);
void col2im(const Conv2dGeometry& g, const float* cols, float* x);
// The same with the column matrix's rows ld floats apart, so several images sit side by side.
void im2col(const Conv2dGeometry& g, const float* x, float* cols, int64_t ld);
void col2im(const Conv2dGeometry& g, const float* cols, int64_t ld, float* x);
// dy: [N, Cout, OH, OW] -> dbias: [Cout] (overwritten)
void conv2d_bias_gradient(const Conv2dGeometry& g, const float* dy, float* dbias);

// x: [N, C, H, W], w: [Cout, C, kh, kw], bias: [Cout] or nullptr -> y: [N, Cout, OH, OW]
void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y);
// dy: [N, Cout, OH, OW] -> dx (overwritten; may be nullptr), dw and dbias (overwritten; dbias may be nullptr)
void conv2d_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* dy, float* dx,
                     float* dw, float* dbias);
void conv2d_forward_reference(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y);
void conv2d_backward_reference(const Conv2dGeometry& g, const float* x, const float* w, const float* dy,
                               float* dx, float* dw, float* dbias);

// Tensor level: shapes checked, names in the messages. bias may be undefined.
Conv2dGeometry conv2d_geometry(const Shape& x, const Shape& w, int64_t stride, int64_t padding, const char* op);
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, int64_t stride = 1, int64_t padding = 0);

}  // namespace sprig
