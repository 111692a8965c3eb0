#pragma once
// Shared by the autograd op tests: run gradcheck and report its mismatches on failure.
#include <doctest/doctest.h>

#include "autograd/gradcheck.h"
#include "tensor/generator.h"

namespace sprig::test {

inline void check_grad(const DifferentiableFn& f, const std::vector<Tensor>& inputs, const std::vector<bool>& wrt = {}) {
  const GradcheckResult result = gradcheck(f, inputs, {}, wrt);
  CHECK_MESSAGE(result.ok, result.report);
}

// Values in [low, high] with a random sign: away from kinks at 0 (relu, abs, sign).
inline Tensor away_from_zero(Shape shape, Generator& gen, float low = 0.2f, float high = 1.5f) {
  Tensor t = uniform(std::move(shape), gen, low, high);
  for (int64_t i = 0; i < t.numel(); ++i)
    if (gen.uniform() < 0.5f) t.data()[i] = -t.data()[i];
  return t;
}

}  // namespace sprig::test
