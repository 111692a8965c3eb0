#pragma once
// 2-D max and average pooling, NCHW, square window, stride and zero padding (as PyTorch: padded
// cells never win a max; average pooling counts them, count_include_pad = true).
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace sprig {

struct Pool2dGeometry {
  int64_t batch = 1, channels = 1, height = 1, width = 1;
  int64_t kernel = 2, stride = 2, padding = 0;
  int64_t out_h() const { return (height + 2 * padding - kernel) / stride + 1; }
  int64_t out_w() const { return (width + 2 * padding - kernel) / stride + 1; }
  void check(const char* op) const;  // padding <= kernel / 2, window fits, sizes positive
};

// x: [N, C, H, W] -> y: [N, C, OH, OW]; argmax: [N, C, OH, OW], index of the winner within its HxW plane
void maxpool2d_forward(const Pool2dGeometry& g, const float* x, float* y, int32_t* argmax);
void maxpool2d_backward(const Pool2dGeometry& g, const float* dy, const int32_t* argmax, float* dx);  // dx overwritten
void avgpool2d_forward(const Pool2dGeometry& g, const float* x, float* y);
void avgpool2d_backward(const Pool2dGeometry& g, const float* dy, float* dx);  // dx overwritten
void maxpool2d_forward_reference(const Pool2dGeometry& g, const float* x, float* y, int32_t* argmax);
void avgpool2d_forward_reference(const Pool2dGeometry& g, const float* x, float* y);
void avgpool2d_backward_reference(const Pool2dGeometry& g, const float* dy, float* dx);

Pool2dGeometry pool2d_geometry(const Shape& x, int64_t kernel, int64_t stride, int64_t padding, const char* op);
Tensor maxpool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding, std::vector<int32_t>* argmax = nullptr);
Tensor avgpool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding);

}  // namespace sprig
