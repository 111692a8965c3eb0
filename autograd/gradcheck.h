#pragma once
// The one gradient checker every differentiable op and layer is tested with.
// It compares backward() with central differences of L = sum(f(inputs) * c), c a fixed random
// cotangent, accumulated in double. Inputs near a kink (ReLU at 0, ties in max) make finite
// differences meaningless: tests choose inputs away from them.
#include <functional>
#include <string>
#include <vector>

#include "autograd/variable.h"

namespace sprig {

struct GradcheckOptions {
  double eps = 1e-3;   // perturbation, in the inputs' units
  double rtol = 1e-2;  // |analytic - numeric| <= atol + rtol * |numeric|
  double atol = 1e-3;
  uint64_t seed = 1;   // for the cotangent
  int64_t max_checks_per_input = 512;  // large inputs: a seeded sample of entries
};

struct GradcheckResult {
  bool ok = true;
  double worst_error = 0.0;  // largest |analytic - numeric| - rtol * |numeric|, over the tolerance if > atol
  std::string report;        // first mismatches: input, entry, analytic, numeric
};

using DifferentiableFn = std::function<Variable(const std::vector<Variable>&)>;

// Inputs marked in `wrt` (all, if empty) get gradients checked; the others are constants.
GradcheckResult gradcheck(const DifferentiableFn& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {}, const std::vector<bool>& wrt = {});

// The general form: `f` reads `leaves` (e.g. a layer's parameters and its input) however it likes;
// each leaf's value is perturbed in place and its gradient compared. Leaves must require grad and
// must start with no gradient (or a zeroed buffer).
GradcheckResult gradcheck_leaves(const std::function<Variable()>& f, const std::vector<Variable>& leaves,
                                 const GradcheckOptions& options = {});

}  // namespace sprig
