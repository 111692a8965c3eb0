#include "nn/batchnorm.h"

#include <sstream>

#include "autograd/batchnorm.h"

namespace sprig::nn {

BatchNorm::BatchNorm(const BatchNormOptions& options, int64_t min_rank, int64_t max_rank)
    : options_(options), min_rank_(min_rank), max_rank_(max_rank) {
  SPRIG_CHECK(options.num_features > 0 && options.eps > 0 && options.momentum >= 0 && options.momentum <= 1,
              "BatchNorm: expected num_features > 0, eps > 0 and momentum in [0, 1], got ", options.num_features,
              ", ", options.eps, ", ", options.momentum);
  const int64_t c = options.num_features;
  if (options.affine) {
    weight_ = &register_parameter("weight", Tensor::ones({c}), /*prunable=*/false);
    bias_ = &register_parameter("bias", Tensor::zeros({c}), /*prunable=*/false);
  }
  register_buffer("running_mean", Tensor::zeros({c}));
  register_buffer("running_var", Tensor::ones({c}));
}

Variable BatchNorm::forward(const Variable& input) {
  SPRIG_CHECK(input.dim() >= min_rank_ && input.dim() <= max_rank_ && input.shape()[1] == options_.num_features,
              type_name(), "(", options_.num_features, "): expected input ",
              min_rank_ == 4 ? "[N, C, H, W]" : "[N, C] or [N, C, L]", " with C = ", options_.num_features,
              ", got ", input.shape());
  return batch_norm(input, weight_ ? weight_->variable : Variable(), bias_ ? bias_->variable : Variable(),
                    buffer("running_mean"), buffer("running_var"), training(), options_.momentum, options_.eps);
}

std::string BatchNorm::describe() const {
  std::ostringstream out;
  out << options_.num_features;
  if (options_.eps != 1e-5) out << ", eps " << options_.eps;
  if (options_.momentum != 0.1) out << ", momentum " << options_.momentum;
  if (!options_.affine) out << ", no affine";
  return out.str();
}

}  // namespace sprig::nn
