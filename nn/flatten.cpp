#include "nn/flatten.h"

#include "autograd/shape.h"

namespace sprig::nn {

Variable Flatten::forward(const Variable& input) {
  SPRIG_CHECK(input.dim() >= 1, "Flatten: expected a batch [N, ...], got ", input.shape());
  return flatten(input, 1);
}

}  // namespace sprig::nn
