#pragma once
// Models by name. Every model's options live in ModelOptions, so a configuration file (or a
// checkpoint's metadata) is enough to rebuild it.
#include <string>
#include <vector>

#include "nn/module.h"
#include "tensor/generator.h"

namespace sprig::nn {

struct ModelOptions {
  std::string name = "lenet_300_100";  // lenet_300_100, mlp_W1_W2_..., lenet5
  std::string init = "torch_default";  // weight initialiser of every Linear/Conv2d (nn/init.h)
  int64_t classes = 10;
  std::vector<int64_t> input = {1, 28, 28};  // one example's shape: channels, height, width

  template <typename V>
  void visit(V& v) {
    v("name", name, "model from the zoo: lenet_300_100, lenet5, mlp_W1_W2_... (hidden widths)");
    v("init", init, "weight initialiser: kaiming_normal, kaiming_uniform, glorot_normal, glorot_uniform, torch_default");
    v("classes", classes, "number of output classes");
    v("input", input, "shape of one example: channels,height,width");
  }
};

ModulePtr make_model(const ModelOptions& options, Generator& gen);
std::vector<std::string> model_names();  // the fixed names; mlp_* is a pattern

}  // namespace sprig::nn
