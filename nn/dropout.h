#pragma once
// Inverted dropout: in training, zero each element with probability p and scale the rest by
// 1/(1-p); in evaluation, the identity. Draws from its own generator stream, so a seed fixes it.
#include "nn/module.h"
#include "tensor/generator.h"

namespace sprig::nn {

struct DropoutOptions {
  double p = 0.5;

  template <typename V>
  void visit(V& v) {
    v("p", p, "probability of zeroing an element, in [0, 1)");
  }
};

class Dropout : public Module {
 public:
  Dropout(const DropoutOptions& options, Generator& gen);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Dropout"; }
  std::string describe() const override { return "p=" + std::to_string(options_.p); }

 private:
  DropoutOptions options_;
  Generator gen_;
};

}  // namespace sprig::nn
