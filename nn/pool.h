#pragma once
// Max and average pooling layers, NCHW, square windows.
#include "nn/module.h"

namespace sprig::nn {

struct Pool2dOptions {
  int64_t kernel_size = 2;
  int64_t stride = 0;  // 0: same as kernel_size
  int64_t padding = 0;

  template <typename V>
  void visit(V& v) {
    v("kernel_size", kernel_size, "square window side");
    v("stride", stride, "step between windows (0: the window side)");
    v("padding", padding, "zero padding on each side");
  }
};

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(const Pool2dOptions& options = {}) : options_(options) {}
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "MaxPool2d"; }
  std::string describe() const override;
  int64_t flops(const Shape& input, const Shape&) const override { return input.numel(); }

 private:
  Pool2dOptions options_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(const Pool2dOptions& options = {}) : options_(options) {}
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "AvgPool2d"; }
  std::string describe() const override;
  int64_t flops(const Shape& input, const Shape&) const override { return input.numel(); }

 private:
  Pool2dOptions options_;
};

// x: [N, C, H, W] -> [N, C], the mean of each plane: AdaptiveAvgPool2d(1) and a flatten, in one.
class GlobalAvgPool2d : public Module {
 public:
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "GlobalAvgPool2d"; }
  int64_t flops(const Shape& input, const Shape&) const override { return input.numel(); }
};

}  // namespace sprig::nn
