#include "nn/zoo.h"

#include <cmath>
#include <functional>
#include <map>

#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/pool.h"
#include "nn/sequential.h"
#include "nn/zoo_models.h"

namespace sprig::nn {

namespace zoo {

ModulePtr relu() { return std::make_shared<Activation>(ActivationOptions{"relu"}); }

int64_t scaled(int64_t channels, double width) {
  return std::max<int64_t>(1, std::llround(double(channels) * width));
}

std::vector<int64_t> conv_channels(const std::vector<int64_t>& defaults, const ModelOptions& o,
                                   const std::string& model) {
  if (o.channels.empty()) return defaults;
  SPRIG_CHECK(o.channels.size() == defaults.size(), model, ": channels lists ", o.channels.size(),
              " widths but the model has ", defaults.size());
  for (int64_t c : o.channels) SPRIG_CHECK(c > 0, model, ": channel counts must be positive, got ", c);
  return o.channels;
}

void check_image_input(const ModelOptions& o, int64_t min_side) {
  SPRIG_CHECK(o.input.size() == 3 && o.input[0] > 0 && o.input[1] >= min_side && o.input[2] >= min_side,
              o.name, ": expects images [C, H, W] of at least ", min_side, "x", min_side, " pixels, got ",
              Shape(o.input.begin(), o.input.end()));
}

}  // namespace zoo

namespace {

using Factory = std::function<ModulePtr(const ModelOptions&, Generator&)>;
using zoo::relu;

ModulePtr linear(int64_t in, int64_t out, const ModelOptions& o, Generator& gen) {
  return std::make_shared<Linear>(LinearOptions{in, out, true, o.init}, gen);
}

// width and channels describe convolutional models; a model without them refuses both rather than
// silently training at its fixed size.
void check_fixed_size(const ModelOptions& o) {
  SPRIG_CHECK(o.width == 1.0 && o.channels.empty(), o.name, ": width and channels apply to convolutional models ",
              "(conv*, vgg*, resnet*) only, got width ", o.width, " and ", o.channels.size(), " channel counts");
}

// Flatten, then Linear+ReLU per hidden width, then the classifier: LeNet-300-100 is mlp_300_100.
ModulePtr mlp(const std::vector<int64_t>& hidden, const ModelOptions& o, Generator& gen) {
  check_fixed_size(o);
  auto model = std::make_shared<Sequential>();
  model->push_back(std::make_shared<Flatten>());
  int64_t width = Shape(o.input.begin(), o.input.end()).numel();
  for (int64_t h : hidden) {
    model->push_back(linear(width, h, o, gen));
    model->push_back(relu());
    width = h;
  }
  model->push_back(linear(width, o.classes, o, gen));
  return model;
}

// LeCun et al. 1998 on 28x28 inputs (the first convolution pads by 2 to keep the 32x32 geometry).
ModulePtr lenet5(const ModelOptions& o, Generator& gen) {
  check_fixed_size(o);
  SPRIG_CHECK(o.input.size() == 3 && o.input[1] == 28 && o.input[2] == 28, "lenet5: expects inputs [C, 28, 28], got ",
              Shape(o.input.begin(), o.input.end()));
  auto conv = [&](int64_t in, int64_t out, int64_t pad) {
    return std::make_shared<Conv2d>(Conv2dOptions{in, out, 5, 1, pad, true, o.init}, gen);
  };
  auto pool = [] { return std::make_shared<MaxPool2d>(Pool2dOptions{2, 2, 0}); };
  return std::make_shared<Sequential>(std::vector<ModulePtr>{
      conv(o.input[0], 6, 2), relu(), pool(), conv(6, 16, 0), relu(), pool(), std::make_shared<Flatten>(),
      linear(16 * 5 * 5, 120, o, gen), relu(), linear(120, 84, o, gen), relu(), linear(84, o.classes, o, gen)});
}

const std::map<std::string, Factory>& fixed_models() {
  static const std::map<std::string, Factory> models = [] {
    std::map<std::string, Factory> all = {
        {"lenet_300_100", [](const ModelOptions& o, Generator& g) { return mlp({300, 100}, o, g); }},
        {"lenet5", lenet5},
    };
    for (int64_t n : {2, 4, 6})
      all["conv" + std::to_string(n)] = [n](const ModelOptions& o, Generator& g) { return zoo::conv_n(n, o, g); };
    for (int64_t depth : {11, 13, 16, 19})
      all["vgg" + std::to_string(depth)] = [depth](const ModelOptions& o, Generator& g) { return zoo::vgg(depth, o, g); };
    for (int64_t depth : {20, 32, 44, 56, 110})
      all["resnet" + std::to_string(depth)] = [depth](const ModelOptions& o, Generator& g) {
        return zoo::resnet(depth, o, g);
      };
    return all;
  }();
  return models;
}

// "mlp_300_100" -> {300, 100}; empty if the name is not of that form.
std::vector<int64_t> mlp_widths(const std::string& name) {
  const std::string prefix = "mlp_";
  if (name.rfind(prefix, 0) != 0) return {};
  std::vector<int64_t> widths;
  size_t start = prefix.size();
  while (start <= name.size()) {
    const size_t end = std::min(name.find('_', start), name.size());
    const std::string part = name.substr(start, end - start);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 9) return {};
    widths.push_back(std::stoll(part));
    if (widths.back() == 0) return {};
    start = end + 1;
  }
  return widths;
}

}  // namespace

ModulePtr make_model(const ModelOptions& options, Generator& gen) {
  SPRIG_CHECK(options.classes > 0, "make_model: classes must be positive, got ", options.classes);
  SPRIG_CHECK(!options.input.empty(), "make_model: input shape is empty");
  const auto& models = fixed_models();
  if (auto it = models.find(options.name); it != models.end()) return it->second(options, gen);
  if (auto widths = mlp_widths(options.name); !widths.empty()) return mlp(widths, options, gen);
  std::string known;
  for (const auto& name : model_names()) known += name + ", ";
  throw Error("make_model: unknown model '" + options.name + "' (known: " + known + "mlp_W1_W2_...)");
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : fixed_models()) names.push_back(name);
  return names;
}

}  // namespace sprig::nn
