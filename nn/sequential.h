#pragma once
// Runs its children in order; they are named "0", "1", ... as in PyTorch, or as given (PyTorch's
// Sequential of an OrderedDict), so a model reads "features.1.weight" or "layer1.0.conv1.weight".
#include "nn/module.h"

namespace sprig::nn {

class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(std::vector<ModulePtr> layers);
  void push_back(ModulePtr layer);
  void push_back(std::string name, ModulePtr layer);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Sequential"; }
  size_t size() const { return children().size(); }
  Module& operator[](size_t index) const { return *children().at(index).second; }
};

}  // namespace sprig::nn
