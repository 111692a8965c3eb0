#include "nn/dropout.h"

#include "autograd/arithmetic.h"

namespace sprig::nn {

Dropout::Dropout(const DropoutOptions& options, Generator& gen) : options_(options), gen_(gen.split(0)) {
  SPRIG_CHECK(options.p >= 0.0 && options.p < 1.0, "Dropout: p must be in [0, 1), got ", options.p);
}

Variable Dropout::forward(const Variable& input) {
  if (!training() || options_.p == 0.0) return input;
  Tensor keep = Tensor::empty(input.shape());
  const float scale = static_cast<float>(1.0 / (1.0 - options_.p));
  float* k = keep.data();
  for (int64_t i = 0; i < keep.numel(); ++i) k[i] = gen_.uniform_double() < options_.p ? 0.0f : scale;
  return mul(input, Variable(keep));
}

}  // namespace sprig::nn
