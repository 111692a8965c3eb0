#include "nn/module.h"

#include <algorithm>

namespace sprig::nn {

namespace {
std::string joined(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : name.empty() ? prefix : prefix + "." + name;
}
void check_new_name(const std::string& name, const std::string& kind, bool taken) {
  SPRIG_CHECK(!name.empty() && name.find('.') == std::string::npos, "Module: ", kind, " name '", name,
              "' must be non-empty and contain no '.'");
  SPRIG_CHECK(!taken, "Module: a ", kind, " named '", name, "' is already registered");
}
template <typename T>
bool has(const Named<T>& list, const std::string& name) {
  return std::any_of(list.begin(), list.end(), [&](const auto& item) { return item.first == name; });
}
}  // namespace

namespace {
thread_local std::vector<ModuleCall>* tls_calls = nullptr;
}

CallRecorder::CallRecorder(std::vector<ModuleCall>& calls) : previous_(tls_calls) { tls_calls = &calls; }
CallRecorder::~CallRecorder() { tls_calls = previous_; }

Variable Module::operator()(const Variable& input) {
  Variable output = forward(input);
  if (tls_calls) tls_calls->push_back({this, input.shape(), output.shape()});
  return output;
}

Variable Module::forward_feature_major(const Variable&) {
  throw Error(type_name() + "(" + describe() + "): has no feature-major forward");
}

Variable Module::call_feature_major(const Variable& xt, int64_t N) {
  Variable output = forward_feature_major(xt);
  if (tls_calls) tls_calls->push_back({this, Shape{N, xt.shape()[1]}, Shape{N, output.shape()[1]}});
  return output;
}

Parameter& Module::register_parameter(std::string name, Tensor value, bool prunable) {
  check_new_name(name, "parameter", has(parameters_, name));
  auto param = std::make_unique<Parameter>();
  param->variable = Variable(std::move(value), true);
  param->variable.set_name(name);
  param->prunable = prunable;
  parameters_.emplace_back(std::move(name), std::move(param));
  return *parameters_.back().second;
}

void Module::register_buffer(std::string name, Tensor value) {
  check_new_name(name, "buffer", has(buffers_, name));
  buffers_.emplace_back(std::move(name), std::move(value));
}

void Module::add_child(std::string name, ModulePtr child) {
  check_new_name(name, "child module", has(children_, name));
  SPRIG_CHECK(child != nullptr, "Module: child '", name, "' is null");
  children_.emplace_back(std::move(name), std::move(child));
}

Tensor& Module::buffer(const std::string& name) {
  for (auto& [key, tensor] : buffers_)
    if (key == name) return tensor;
  throw Error(type_name() + ": no buffer named '" + name + "'");
}

Named<Parameter*> Module::named_parameters(bool recurse) {
  Named<Parameter*> out;
  for (auto& [name, param] : parameters_) out.emplace_back(name, param.get());
  if (recurse)
    for (auto& [child_name, child] : children_)
      for (auto& [name, param] : child->named_parameters()) out.emplace_back(joined(child_name, name), param);
  return out;
}

Named<Tensor*> Module::named_buffers(bool recurse) {
  Named<Tensor*> out;
  for (auto& [name, tensor] : buffers_) out.emplace_back(name, &tensor);
  if (recurse)
    for (auto& [child_name, child] : children_)
      for (auto& [name, tensor] : child->named_buffers()) out.emplace_back(joined(child_name, name), tensor);
  return out;
}

namespace {
// The entry of `all` called `dotted_name`, or an error naming what there is.
template <typename T>
T& find_named(Named<T*> all, const std::string& dotted_name, const std::string& owner, const char* kind) {
  for (auto& [name, item] : all)
    if (name == dotted_name) return *item;
  std::string known;
  for (auto& [name, item] : all) known += (known.empty() ? "" : ", ") + (name.empty() ? "''" : name);
  throw Error(owner + ": no " + kind + " named '" + dotted_name + "' (has: " + known + ")");
}
}  // namespace

Named<Module*> Module::named_modules() {
  Named<Module*> out{{"", this}};
  for (auto& [child_name, child] : children_)
    for (auto& [name, module] : child->named_modules()) out.emplace_back(joined(child_name, name), module);
  return out;
}

Module& Module::module(const std::string& dotted_name) {
  return find_named(named_modules(), dotted_name, type_name(), "module");
}

Parameter& Module::parameter(const std::string& dotted_name) {
  return find_named(named_parameters(), dotted_name, type_name(), "parameter");
}

int64_t Module::parameter_count() {
  int64_t total = 0;
  for (auto& [name, param] : named_parameters()) total += param->value().numel();
  return total;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

}  // namespace sprig::nn
