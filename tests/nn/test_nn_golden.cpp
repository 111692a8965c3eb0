// Layers against PyTorch (tests/golden/nn.json, made by tests/golden/make_nn_golden.py): BatchNorm
// through training steps and evaluation, pooling, ResNet basic blocks and cross-entropy, forward and
// backward; and the zoo's parameter counts against PyTorch definitions of the same models.
// Tensors agree when max |sprig - torch| <= 1e-5 * max |torch|: relative to the tensor's scale, so
// entries that are small after cancellation need no more digits than float has.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>

#include "autograd/loss.h"
#include "autograd/pool.h"
#include "nn/batchnorm.h"
#include "nn/residual.h"
#include "nn/zoo.h"

using namespace sprig;
using namespace sprig::nn;
using json = nlohmann::json;

namespace {

constexpr double kTolerance = 1e-5;

const json& golden() {
  static const json data = [] {
    std::ifstream in(SPRIG_SOURCE_DIR "/tests/golden/nn.json");
    REQUIRE_MESSAGE(in.good(), "cannot open tests/golden/nn.json");
    return json::parse(in);
  }();
  return data;
}

Tensor tensor_of(const json& j) {
  const auto shape = j.at("shape").get<std::vector<int64_t>>();
  return Tensor::from(Shape(shape.begin(), shape.end()), j.at("data").get<std::vector<float>>());
}

// The worst error seen per kind of quantity, printed at the end of each case (the numbers the
// closing notes quote).
struct Errors {
  std::map<std::string, double> worst;
  ~Errors() {
    std::ostringstream text;
    text << std::scientific << std::setprecision(1);
    for (const auto& [what, error] : worst) text << what << " " << error << "; ";
    MESSAGE("max relative error vs PyTorch: " << text.str());
  }
  void check(const std::string& what, const Tensor& actual, const json& expected_json) {
    const Tensor expected = tensor_of(expected_json);
    REQUIRE_MESSAGE(actual.shape() == expected.shape(), what, ": shape ", actual.shape(), " vs ", expected.shape());
    double scale = 1e-30, diff = 0.0;
    for (int64_t i = 0; i < actual.numel(); ++i) {
      scale = std::max(scale, double(std::abs(expected.data()[i])));
      diff = std::max(diff, double(std::abs(actual.data()[i] - expected.data()[i])));
    }
    const double error = diff / scale;
    worst[what] = std::max(worst[what], error);
    CHECK_MESSAGE(error <= kTolerance, what, ": relative error ", error);
  }
};

Tensor& named_buffer(Module& m, const std::string& name) {
  for (auto& [key, tensor] : m.named_buffers())
    if (key == name) return *tensor;
  throw Error("no buffer named " + name);
}

void zero_grads(Module& m) {
  for (auto& [name, param] : m.named_parameters()) param->variable.zero_grad();
}

// One recorded step: the module in the step's mode, forward x, backward dy; checks y and dx.
void run_step(Module& module, const json& step, Errors& errors) {
  module.train(step["training"].get<bool>());
  zero_grads(module);
  Variable x(tensor_of(step["x"]), true);
  Variable y = module(x);
  y.backward(tensor_of(step["dy"]));
  errors.check("y", y.value(), step["y"]);
  errors.check("dx", x.grad(), step["dx"]);
}

template <class BatchNormLayer>
void check_batchnorm_case(const json& c) {
  BatchNormLayer bn({.num_features = c["num_features"], .eps = c["eps"], .momentum = c["momentum"]});
  bn.parameter("weight").value().copy_(tensor_of(c["weight"]));
  bn.parameter("bias").value().copy_(tensor_of(c["bias"]));
  Errors errors;
  for (const json& step : c["steps"]) {
    run_step(bn, step, errors);
    errors.check("dweight", bn.parameter("weight").variable.grad(), step["dweight"]);
    errors.check("dbias", bn.parameter("bias").variable.grad(), step["dbias"]);
    errors.check("running_mean", named_buffer(bn, "running_mean"), step["running_mean"]);
    errors.check("running_var", named_buffer(bn, "running_var"), step["running_var"]);
  }
}

}  // namespace

TEST_CASE("golden: BatchNorm2d over three training steps, then evaluation") {
  check_batchnorm_case<BatchNorm2d>(golden()["batchnorm2d"]);
}

TEST_CASE("golden: BatchNorm1d (momentum 0.2, eps 1e-3), a training step, then evaluation") {
  check_batchnorm_case<BatchNorm1d>(golden()["batchnorm1d"]);
}

TEST_CASE("golden: max pooling and global average pooling") {
  Errors errors;
  auto check_pool = [&](const json& c, auto&& pool) {
    Variable x(tensor_of(c["x"]), true);
    Variable y = pool(x);
    y.backward(tensor_of(c["dy"]));
    errors.check("y", y.value(), c["y"]);
    errors.check("dx", x.grad(), c["dx"]);
  };
  for (const json& c : golden()["maxpool2d"])
    check_pool(c, [&](const Variable& x) { return maxpool2d(x, c["kernel"], c["stride"], c["padding"]); });
  check_pool(golden()["global_avgpool2d"], [](const Variable& x) { return global_avgpool2d(x); });
}

TEST_CASE("golden: ResNet basic blocks (projection and identity), two training steps, then evaluation") {
  for (const json& c : golden()["basic_block"]) {
    INFO("block ", c["in_channels"], " -> ", c["out_channels"], ", stride ", c["stride"]);
    Generator gen(0);
    BasicBlock block({.in_channels = c["in_channels"], .out_channels = c["out_channels"], .stride = c["stride"]}, gen);
    REQUIRE(block.named_parameters().size() == c["parameters"].size());
    for (const auto& [name, value] : c["parameters"].items()) block.parameter(name).value().copy_(tensor_of(value));
    Errors errors;
    for (const json& step : c["steps"]) {
      run_step(block, step, errors);
      for (const auto& [name, value] : step["gradients"].items())
        errors.check("parameter gradients", block.parameter(name).variable.grad(), value);
      for (const auto& [name, value] : step["buffers"].items())
        errors.check("running statistics", named_buffer(block, name), value);
    }
  }
}

TEST_CASE("golden: cross-entropy loss and its gradient") {
  const json& c = golden()["cross_entropy"];
  Variable logits(tensor_of(c["logits"]), true);
  Variable loss = cross_entropy(logits, c["labels"].get<std::vector<int32_t>>());
  loss.backward();
  CHECK(loss.value().item() == doctest::Approx(c["loss"].get<double>()).epsilon(kTolerance));
  Errors errors;
  errors.check("dlogits", logits.grad(), c["dlogits"]);
}

TEST_CASE("golden: zoo parameter and weight counts equal PyTorch definitions of the same models") {
  for (const auto& [name, counts] : golden()["parameter_counts"].items()) {
    INFO(name);
    Generator gen(0);
    ModelOptions options;
    options.name = name;
    options.input = {3, 32, 32};
    ModulePtr model = make_model(options, gen);
    int64_t weights = 0;
    for (auto& [param_name, param] : model->named_parameters())
      if (param->prunable) weights += param->value().numel();
    CHECK(model->parameter_count() == counts["parameters"].get<int64_t>());
    CHECK(weights == counts["weights"].get<int64_t>());
  }
}
