#pragma once
// [N, d1, d2, ...] -> [N, d1*d2*...]; a view, no copy.
#include "nn/module.h"

namespace sprig::nn {

class Flatten : public Module {
 public:
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Flatten"; }
};

}  // namespace sprig::nn
