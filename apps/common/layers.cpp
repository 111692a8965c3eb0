#include "apps/common/layers.h"

#include <functional>
#include <map>
#include <type_traits>

#include "nn/activation.h"
#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/pool.h"
#include "nn/residual.h"
#include "nn/sequential.h"

namespace sprig::cli {

namespace {

using Factory = std::function<nn::ModulePtr(const Json& options, Generator& gen, const std::string& source)>;

struct NoOptions {
  template <class V>
  void visit(V&) {}
};

// Options from JSON (unknown keys are errors), then the layer; layers without weights take no
// generator, layers without options (NoOptions) nothing.
template <class Layer, class Options>
nn::ModulePtr build(const Json& json, Generator& gen, const std::string& source) {
  Options options;
  from_json(json, options, source);
  if constexpr (std::is_constructible_v<Layer, const Options&, Generator&>) return std::make_shared<Layer>(options, gen);
  else if constexpr (std::is_same_v<Options, NoOptions>) return std::make_shared<Layer>();
  else return std::make_shared<Layer>(options);
}

// One line per layer type.
const std::map<std::string, Factory>& registry() {
  static const std::map<std::string, Factory> layers = {
      {"linear", build<nn::Linear, nn::LinearOptions>},
      {"conv2d", build<nn::Conv2d, nn::Conv2dOptions>},
      {"activation", build<nn::Activation, nn::ActivationOptions>},
      {"maxpool2d", build<nn::MaxPool2d, nn::Pool2dOptions>},
      {"avgpool2d", build<nn::AvgPool2d, nn::Pool2dOptions>},
      {"dropout", build<nn::Dropout, nn::DropoutOptions>},
      {"batchnorm1d", build<nn::BatchNorm1d, nn::BatchNormOptions>},
      {"batchnorm2d", build<nn::BatchNorm2d, nn::BatchNormOptions>},
      {"basic_block", build<nn::BasicBlock, nn::BasicBlockOptions>},
      {"flatten", build<nn::Flatten, NoOptions>},
      {"global_avgpool2d", build<nn::GlobalAvgPool2d, NoOptions>},
  };
  return layers;
}

}  // namespace

std::vector<std::string> layer_types() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry()) names.push_back(name);
  return names;
}

nn::ModulePtr make_layer(const Json& spec, Generator& gen) {
  if (!spec.is_object() || !spec.contains("type") || !spec["type"].is_string())
    throw UsageError("layer spec must be an object with a \"type\" string, got " + spec.dump());
  const std::string type = spec["type"];
  auto it = registry().find(type);
  if (it == registry().end()) {
    std::string known;
    for (const auto& name : layer_types()) known += (known.empty() ? "" : ", ") + name;
    throw UsageError("unknown layer type '" + type + "' (known: " + known + ")");
  }
  Json options = spec;
  options.erase("type");
  return it->second(options, gen, "layer '" + type + "'");
}

nn::ModulePtr make_sequential(const Json& specs, Generator& gen) {
  if (!specs.is_array()) throw UsageError("a model is a JSON array of layer specs, got " + specs.dump());
  auto model = std::make_shared<nn::Sequential>();
  for (const Json& spec : specs) model->push_back(make_layer(spec, gen));
  return model;
}

}  // namespace sprig::cli
