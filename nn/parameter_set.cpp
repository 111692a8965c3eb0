#include "nn/parameter_set.h"

namespace sprig::nn {

ParameterSet::ParameterSet(Module& model) {
  int64_t total = 0;
  for (auto& [name, param] : model.named_parameters()) {
    slots_.push_back({name, param, total, param->value().numel()});
    total += param->value().numel();
  }
  values_ = Tensor::empty({total});
  gradients_ = Tensor::zeros({total});
  for (Slot& s : slots_) {
    Variable& var = s.parameter->variable;
    Tensor value = values_.view(s.offset, var.shape());
    value.copy_(var.value());
    var.value() = value;
    var.set_grad_buffer(gradients_.view(s.offset, var.shape()));
  }
}

const ParameterSet::Slot& ParameterSet::slot(const std::string& name) const {
  for (const Slot& s : slots_)
    if (s.name == name) return s;
  throw Error("ParameterSet: no parameter named '" + name + "'");
}

void ParameterSet::set_mask(const std::string& name, const Tensor& mask) {
  const Slot& s = slot(name);
  Parameter& param = *s.parameter;
  SPRIG_CHECK(mask.shape() == param.value().shape(), "set_mask: mask ", mask.shape(), " for parameter '", name,
              "' of shape ", param.value().shape());
  const float* m = mask.data();
  for (int64_t i = 0; i < mask.numel(); ++i)
    SPRIG_CHECK(m[i] == 0.0f || m[i] == 1.0f, "set_mask: mask for '", name, "' has value ", m[i], " at ", i,
                "; expected 0 or 1");
  if (!masks_.defined()) masks_ = Tensor::ones({size()});
  param.mask = masks_.view(s.offset, param.value().shape());
  param.mask.copy_(mask);
  param.mask_version = ++mask_version_;
  param.variable.settle_grad();  // the raw writes below
  float* value = values_.data() + s.offset;
  float* grad = gradients_.data() + s.offset;
  for (int64_t i = 0; i < s.numel; ++i) {  // +0 exactly, as the optimisers write it
    value[i] = m[i] != 0.0f ? value[i] : 0.0f;
    grad[i] = m[i] != 0.0f ? grad[i] : 0.0f;
  }
}

void ParameterSet::apply_masks() {
  if (!masks_.defined()) return;
  float* value = values_.data();
  const float* mask = masks_.data();
  for (int64_t i = 0; i < size(); ++i) value[i] = mask[i] != 0.0f ? value[i] : 0.0f;
}

int64_t ParameterSet::live_count(const Slot& s) const {
  if (!masks_.defined()) return s.numel;
  const float* mask = masks_.data() + s.offset;
  int64_t live = 0;
  for (int64_t i = 0; i < s.numel; ++i) live += mask[i] != 0.0f;
  return live;
}

const std::vector<int64_t>& ParameterSet::live_indices() {
  if (live_version_ == mask_version_) return live_;
  live_.clear();
  const float* mask = masks_.defined() ? masks_.data() : nullptr;
  for (int64_t i = 0; i < size(); ++i)
    if (!mask || mask[i] != 0.0f) live_.push_back(i);
  live_version_ = mask_version_;
  return live_;
}

double ParameterSet::live_fraction() {
  return size() == 0 ? 1.0 : double(live_indices().size()) / double(size());
}

Tensor& ParameterSet::gradients() {
  settle_gradients();
  return gradients_;
}

void ParameterSet::settle_gradients() {
  for (Slot& s : slots_) s.parameter->variable.settle_grad();
}

void ParameterSet::zero_grad() {
  for (Slot& s : slots_) s.parameter->variable.defer_zero_grad();
}

double ParameterSet::density(const Slot& s) const {
  return s.numel == 0 ? 1.0 : double(live_count(s)) / double(s.numel);
}

}  // namespace sprig::nn
