#pragma once
// Shared by the layer tests: gradient-check a layer for its input and all its parameters.
#include <doctest/doctest.h>

#include "autograd/gradcheck.h"
#include "nn/module.h"

namespace sprig::test {

// Gradient-checks `layer` at input x (entries of x kept away from kinks by the caller). Zeroes the
// parameters' gradients first, so one layer can be checked several times.
inline void check_layer(nn::Module& layer, const Tensor& x, const GradcheckOptions& options = {}) {
  Variable input(x.clone(), true);
  input.set_name("input");
  std::vector<Variable> leaves{input};
  for (auto& [name, param] : layer.named_parameters()) {
    param->variable.set_name(name);
    param->variable.zero_grad();
    leaves.push_back(param->variable);
  }
  const GradcheckResult result = gradcheck_leaves([&] { return layer(input); }, leaves, options);
  INFO(layer.type_name(), "\n", result.report);
  CHECK(result.ok);
}

}  // namespace sprig::test
