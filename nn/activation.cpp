#include "nn/activation.h"

#include "autograd/unary.h"

namespace sprig::nn {

Activation::Activation(const ActivationOptions& options) : options_(options) {
  if (options.function == "relu") function_ = &relu;
  else if (options.function == "tanh") function_ = &tanh;
  else if (options.function == "sigmoid") function_ = &sigmoid;
  else throw Error("Activation: unknown function '" + options.function + "' (known: relu, tanh, sigmoid)");
}

std::string Activation::type_name() const {
  if (options_.function == "relu") return "ReLU";
  if (options_.function == "tanh") return "Tanh";
  return "Sigmoid";
}

}  // namespace sprig::nn
