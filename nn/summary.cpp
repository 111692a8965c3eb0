#include "nn/summary.h"

#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>

namespace sprig::nn {

namespace {
void name_modules(const Module& module, const std::string& prefix, std::map<const Module*, std::string>& names) {
  names[&module] = prefix;
  for (const auto& [name, child] : module.children())
    name_modules(*child, prefix.empty() ? name : prefix + "." + name, names);
}

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}
}  // namespace

ModelSummary summarize(Module& model, const Shape& example) {
  std::map<const Module*, std::string> names;
  name_modules(model, "", names);

  Shape batch_of_one{1};
  batch_of_one.insert(batch_of_one.end(), example.begin(), example.end());
  std::vector<ModuleCall> calls;
  {
    NoGradGuard no_grad;
    CallRecorder recorder(calls);
    const bool was_training = model.training();
    model.eval();
    model(Variable(Tensor::zeros(batch_of_one)));
    model.train(was_training);
  }

  ModelSummary summary;
  for (const ModuleCall& call : calls) {
    Module& module = *call.module;
    if (!module.children().empty()) continue;  // containers: their leaves are listed
    LayerSummary row;
    row.name = names.count(call.module) ? names[call.module] : "?";
    row.type = module.type_name();
    row.description = module.describe();
    row.output = Shape(call.output.begin() + 1, call.output.end());
    row.parameters = module.parameter_count();
    row.flops = module.flops(Shape(call.input.begin() + 1, call.input.end()), row.output);
    summary.flops += row.flops;
    summary.layers.push_back(std::move(row));
  }
  summary.parameters = model.parameter_count();
  return summary;
}

std::string ModelSummary::table() const {
  size_t name_width = 5, type_width = 4;
  for (const auto& l : layers) {
    name_width = std::max(name_width, l.name.size());
    type_width = std::max(type_width, l.type.size() + (l.description.empty() ? 0 : l.description.size() + 3));
  }
  std::ostringstream out;
  auto row = [&](const std::string& name, const std::string& type, const std::string& shape, const std::string& params,
                 const std::string& flop_count) {
    out << std::left << std::setw(int(name_width) + 2) << name << std::setw(int(type_width) + 2) << type
        << std::setw(18) << shape << std::right << std::setw(12) << params << std::setw(16) << flop_count << "\n";
  };
  row("layer", "type", "output", "parameters", "FLOPs/example");
  for (const auto& l : layers)
    row(l.name, l.type + (l.description.empty() ? "" : " (" + l.description + ")"), l.output.str(),
        with_commas(l.parameters), with_commas(l.flops));
  row("total", "", "", with_commas(parameters), with_commas(flops));
  return out.str();
}

}  // namespace sprig::nn
