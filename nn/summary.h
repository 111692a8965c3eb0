#pragma once
// A readable account of a model: every layer with its output shape, parameter count and FLOPs per
// example (multiply-adds count two), measured by running one example through it.
#include <string>
#include <vector>

#include "nn/module.h"

namespace sprig::nn {

struct LayerSummary {
  std::string name;  // dotted path, e.g. "features.3"
  std::string type;  // "Conv2d"
  std::string description;
  Shape output;      // one example's output shape (batch axis dropped)
  int64_t parameters = 0;
  int64_t flops = 0;
};

struct ModelSummary {
  std::vector<LayerSummary> layers;  // leaf modules, in the order they ran
  int64_t parameters = 0;            // all parameters of the model
  int64_t flops = 0;                 // sum over layers, per example
  std::string table() const;         // aligned text with a totals line
};

// example: the shape of one input example, without the batch axis (e.g. {1, 28, 28}).
ModelSummary summarize(Module& model, const Shape& example);

}  // namespace sprig::nn
