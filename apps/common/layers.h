#pragma once
// Layers by name, built from configuration: {"type": "linear", "in_features": 784, "out_features": 300}.
// The keys after "type" are the layer's Options fields (their visit), defaults for the ones left out.
// A list of such objects makes a Sequential, so a model can be written in a JSON file.
#include <string>
#include <vector>

#include "apps/common/options.h"
#include "nn/module.h"
#include "tensor/generator.h"

namespace sprig::cli {

nn::ModulePtr make_layer(const Json& spec, Generator& gen);
nn::ModulePtr make_sequential(const Json& specs, Generator& gen);  // a JSON array of layer specs
std::vector<std::string> layer_types();

}  // namespace sprig::cli
