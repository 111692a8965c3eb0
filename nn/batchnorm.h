#pragma once
// Batch normalisation as in PyTorch: each channel c of x [N, C] or [N, C, ...] is normalised by its
// mean and variance, then scaled and shifted: y = (x - mean) / sqrt(var + eps) * weight + bias.
// Training uses the batch's statistics and updates the running ones (momentum, unbiased variance);
// evaluation uses the running ones.
// Parameters "weight" (gamma, ones) and "bias" (beta, zeros) are not prunable, but are found by name:
// channel pruning penalises and thresholds gamma. Buffers "running_mean" (zeros), "running_var" (ones).
#include "nn/module.h"

namespace sprig::nn {

struct BatchNormOptions {
  int64_t num_features = 1;
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = true;

  template <typename V>
  void visit(V& v) {
    v("num_features", num_features, "channels (C of [N, C, ...])");
    v("eps", eps, "added to the variance before the square root");
    v("momentum", momentum, "weight of the batch statistic in the running averages");
    v("affine", affine, "learn a scale (weight) and shift (bias) per channel");
  }
};

class BatchNorm : public Module {
 public:
  Variable forward(const Variable& input) override;
  std::string describe() const override;
  int64_t flops(const Shape& input, const Shape&) const override { return 2 * input.numel(); }
  const BatchNormOptions& options() const { return options_; }

 protected:
  // Inputs may have rank min_rank .. max_rank.
  BatchNorm(const BatchNormOptions& options, int64_t min_rank, int64_t max_rank);

 private:
  BatchNormOptions options_;
  int64_t min_rank_, max_rank_;
  Parameter* weight_ = nullptr;
  Parameter* bias_ = nullptr;
};

// x: [N, C] or [N, C, L]
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(const BatchNormOptions& options = {}) : BatchNorm(options, 2, 3) {}
  std::string type_name() const override { return "BatchNorm1d"; }
};

// x: [N, C, H, W]
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(const BatchNormOptions& options = {}) : BatchNorm(options, 4, 4) {}
  std::string type_name() const override { return "BatchNorm2d"; }
};

}  // namespace sprig::nn
