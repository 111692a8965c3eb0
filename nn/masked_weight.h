#pragma once
// How a prunable layer (Linear, Conv2d) multiplies by its weight matrix [rows, cols]:
//   dense   the weight as it is (no mask), or weight * mask, whose gradient is masked too;
//   sparse  CSR kernels (autograd/sparse.h) that touch only the kept weights.
// Option `kernel`: "dense", "sparse", or "auto": sparse once the mask's density is below the
// break-even measured on this machine by bench_sparse (linear and conv layers have their own).
// The CSR pattern is rebuilt when the mask changes (Parameter::mask_version); the values are read
// from the parameter on every forward, so rewinding or loading weights needs nothing else.
#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"
#include "tensor/sparse_weight.h"

namespace sprig::nn {

// Densities below which CSR beats dense-masked forward+backward (see masked_weight.cpp).
extern const double kLinearBreakEven;
extern const double kConvBreakEven;

void check_kernel_option(const std::string& kernel, const std::string& layer);  // auto, dense or sparse

// Dotted names of the layers in `model` (itself included) whose next forward runs CSR kernels.
std::vector<std::string> sparse_kernel_layers(const Module& model);

class MaskedWeight {
 public:
  // weight: the layer's parameter, viewed as [rows, cols] by the kernels. taps > 1: the pattern
  // also holds the weight regrouped by input channel (a stride-1 convolution's direct path).
  MaskedWeight(Parameter& weight, std::string kernel, double break_even, int64_t rows, int64_t cols,
               int64_t taps = 1);

  bool sparse() const;  // the kernel the next forward uses
  // The Variable dense kernels multiply by: the weight, or weight * mask when masked.
  Variable dense() const;
  // The CSR pattern of the current mask (all ones without one), rebuilt if the mask changed.
  const std::shared_ptr<SparseWeight>& pattern();
  double density() const;  // of the current mask; 1 without one

 private:
  void update() const;  // recompute density when the mask changed

  Parameter& weight_;
  std::string kernel_;
  double break_even_;
  int64_t rows_, cols_;
  int64_t taps_;
  mutable uint64_t seen_version_ = 0;
  mutable double density_ = 1.0;
  std::shared_ptr<SparseWeight> pattern_;
  uint64_t pattern_version_ = 0;
};

}  // namespace sprig::nn
