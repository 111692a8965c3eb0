#include "nn/sequential.h"

namespace sprig::nn {

Sequential::Sequential(std::vector<ModulePtr> layers) {
  for (ModulePtr& layer : layers) push_back(std::move(layer));
}

void Sequential::push_back(ModulePtr layer) { push_back(std::to_string(children().size()), std::move(layer)); }
void Sequential::push_back(std::string name, ModulePtr layer) { register_module(std::move(name), std::move(layer)); }

Variable Sequential::forward(const Variable& input) {
  Variable x = input;
  for (const auto& [name, layer] : children()) x = (*layer)(x);
  return x;
}

}  // namespace sprig::nn
