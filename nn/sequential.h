#pragma once
// Runs its children in order; they are named "0", "1", ... as in PyTorch, or as given (PyTorch's
// Sequential of an OrderedDict), so a model reads "features.1.weight" or "layer1.0.conv1.weight".
// Through a run of children that take feature-major activations (Module::feature_major), such as
// a pruned MLP's sparse Linears and their activations, it transposes once on the way in and once
// on the way out instead of twice per layer each way.
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

 private:
  size_t feature_major_run(size_t first) const;
};

}  // namespace sprig::nn
