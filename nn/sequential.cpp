#include "nn/sequential.h"

#include "autograd/sparse.h"

namespace sprig::nn {

Sequential::Sequential(std::vector<ModulePtr> layers) {
  for (ModulePtr& layer : layers) push_back(std::move(layer));
}

void Sequential::push_back(ModulePtr layer) { push_back(std::to_string(children().size()), std::move(layer)); }
void Sequential::push_back(std::string name, ModulePtr layer) { register_module(std::move(name), std::move(layer)); }

// The end of the feature-major run that starts at layer `first` (nn/module.h), or `first` if none
// does: the layers up to there all take feature-major input and at least one prefers it.
size_t Sequential::feature_major_run(size_t first) const {
  bool preferred = false;
  size_t end = first;
  for (; end < size() && (*this)[end].feature_major() != FeatureMajor::no; ++end)
    preferred = preferred || (*this)[end].feature_major() == FeatureMajor::prefers;
  return preferred ? end : first;
}

Variable Sequential::forward(const Variable& input) {
  Variable x = input;
  for (size_t i = 0; i < size();) {
    const size_t end = x.dim() == 2 ? feature_major_run(i) : i;
    if (end == i) {
      x = (*this)[i++](x);
      continue;
    }
    const int64_t N = x.shape()[0];
    Variable xt = to_feature_major(x);  // two transposes for the run instead of two per layer
    for (; i < end; ++i) xt = (*this)[i].call_feature_major(xt, N);
    x = from_feature_major(xt, N);
  }
  return x;
}

}  // namespace sprig::nn
