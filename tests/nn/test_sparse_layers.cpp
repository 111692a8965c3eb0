// Linear and Conv2d on CSR kernels against the same layer on dense kernels with the same mask:
// outputs and every gradient agree, both pass the gradient checker, and the kernel follows the mask.
#include <doctest/doctest.h>

#include <memory>

#include "check_layer.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/activation.h"
#include "nn/parameter_set.h"
#include "nn/sequential.h"
#include "nn/summary.h"
#include "tensor/elementwise.h"
#include "tensor/runtime.h"

using namespace sprig;
using namespace sprig::nn;

namespace {

// A 0/1 mask keeping about `density` of the entries, with a whole row and a whole column pruned
// (the kernels' empty-row and empty-column cases).
Tensor random_mask(const Shape& shape, double density, Generator& gen) {
  Tensor mask = Tensor::empty(shape);
  const int64_t rows = shape[0], cols = shape.numel() / rows;
  for (int64_t i = 0; i < mask.numel(); ++i) {
    const bool forced = i / cols == rows - 1 || i % cols == 0;
    mask.data()[i] = !forced && gen.uniform_double() < density ? 1.0f : 0.0f;
  }
  return mask;
}

// A layer, its parameters packed with a mask on the weight, made twice from one seed with two kernels.
template <class Layer, class Options>
struct Twin {
  Generator gen;
  Layer layer;
  ParameterSet set;
  Twin(Options options, const std::string& kernel, uint64_t seed)
      : gen(seed), layer((options.kernel = kernel, options), gen), set(layer) {}
};

// Runs forward and backward with the same upstream gradient; returns output, input gradient and
// the flat parameter gradients.
struct Pass {
  Tensor y, dx, grads;
};
Pass run(Module& layer, ParameterSet& set, const Tensor& x, uint64_t seed) {
  set.zero_grad();
  Variable input(x.clone(), true);
  Variable y = layer(input);
  Generator gen(seed);
  y.backward(normal(y.shape(), gen));
  return {y.value(), input.grad(), set.gradients().clone()};
}

void check_same(const Pass& sparse, const Pass& dense, const ParameterSet& set) {
  CHECK(max_abs_diff(sparse.y, dense.y) <= 1e-4f);
  CHECK(max_abs_diff(sparse.dx, dense.dx) <= 1e-4f);
  CHECK(max_abs_diff(sparse.grads, dense.grads) <= 1e-4f);
  const float* mask = set.masks().data();
  for (int64_t i = 0; i < set.size(); ++i)  // a pruned weight gets no gradient in either
    if (mask[i] == 0.0f) CHECK((sparse.grads.data()[i] == 0.0f && dense.grads.data()[i] == 0.0f));
}

struct ConvCase {
  Conv2dOptions options;
  Shape input;
  const char* why;
};

const ConvCase kConvCases[] = {
    {{3, 5, 3, 1, 1, true}, {2, 3, 8, 8}, "3x3 same padding, 64 pixels: one image per column matrix"},
    {{4, 6, 3, 2, 1, false}, {3, 4, 9, 9}, "stride 2, no bias: 25 pixels, images grouped"},
    {{4, 6, 1, 2, 0, false}, {2, 4, 8, 8}, "1x1 stride 2: the ResNet projection shortcut"},
    {{8, 8, 3, 1, 1, true}, {5, 8, 4, 4}, "4x4 outputs, batch 5: groups of 4 images and a group of 1"},
    {{2, 3, 3, 1, 0, true}, {1, 2, 3, 3}, "a 1x1 output, batch 1"},
};

}  // namespace

// Guards against the CSR path computing something other than the dense layer on weight * mask.
TEST_CASE("sparse layers: Linear on CSR equals Linear on dense kernels with the same mask") {
  for (auto [in, out, batch, density] : {std::tuple{784, 300, 60, 0.1}, {13, 7, 1, 0.5}, {20, 33, 17, 0.0},
                                         {9, 5, 70, 1.0}}) {
    INFO("in ", in, " out ", out, " batch ", batch, " density ", density);
    Twin<Linear, LinearOptions> sparse({in, out}, "sparse", 3), dense({in, out}, "dense", 3);
    Generator gen(4);
    const Tensor mask = random_mask({out, in}, density, gen);
    sparse.set.set_mask("weight", mask);
    dense.set.set_mask("weight", mask);
    CHECK(sparse.layer.uses_sparse_kernel());
    CHECK_FALSE(dense.layer.uses_sparse_kernel());
    const Tensor x = normal({batch, in}, gen);
    check_same(run(sparse.layer, sparse.set, x, 5), run(dense.layer, dense.set, x, 5), sparse.set);
  }
}

TEST_CASE("sparse layers: Conv2d on CSR equals Conv2d on dense kernels with the same mask") {
  for (const ConvCase& c : kConvCases) {
    CAPTURE(c.why);
    Twin<Conv2d, Conv2dOptions> sparse(c.options, "sparse", 6), dense(c.options, "dense", 6);
    Generator gen(7);
    const Tensor mask = random_mask(sparse.layer.parameter("weight").value().shape(), 0.3, gen);
    sparse.set.set_mask("weight", mask);
    dense.set.set_mask("weight", mask);
    const Tensor x = normal(c.input, gen);
    check_same(run(sparse.layer, sparse.set, x, 8), run(dense.layer, dense.set, x, 8), sparse.set);
  }
}

// Guards against a gradient the comparison above would miss because both paths share it.
TEST_CASE("sparse layers: masked Linear and Conv2d pass the gradient checker on both kernels") {
  for (const char* kernel : {"sparse", "dense"}) {
    CAPTURE(kernel);
    Twin<Linear, LinearOptions> linear({6, 4}, kernel, 9);
    Generator gen(10);
    linear.set.set_mask("weight", random_mask({4, 6}, 0.6, gen));
    test::check_layer(linear.layer, normal({3, 6}, gen));
    for (const ConvCase& c : {kConvCases[1], kConvCases[3]}) {
      CAPTURE(c.why);
      Twin<Conv2d, Conv2dOptions> conv(c.options, kernel, 11);
      conv.set.set_mask("weight", random_mask(conv.layer.parameter("weight").value().shape(), 0.6, gen));
      test::check_layer(conv.layer, normal(c.input, gen));
    }
  }
}

// An MLP whose Linears run CSR kernels, except one on dense kernels that splits the feature-major
// runs Sequential makes: [sparse, act, sparse, act] | dense | [act, sparse], so one run ends on an
// activation and the other starts with one.
struct Mlp {
  Generator gen;
  Sequential model;
  ParameterSet set;
  static constexpr int64_t kWidths[] = {20, 16, 12, 9, 5};
  Mlp(const std::string& kernel, const std::string& activation, uint64_t seed)
      : gen(seed), model(layers(kernel, activation, gen)), set(model) {
    Generator masks(seed + 1);
    for (const char* name : {"0.weight", "2.weight", "4.weight", "6.weight"})
      set.set_mask(name, random_mask(set.slot(name).parameter->value().shape(), 0.3, masks));
  }
  static std::vector<ModulePtr> layers(const std::string& kernel, const std::string& activation, Generator& gen) {
    std::vector<ModulePtr> layers;
    for (int i = 0; i < 4; ++i) {
      layers.push_back(std::make_shared<Linear>(
          LinearOptions{kWidths[i], kWidths[i + 1], true, "torch_default", i == 2 ? "dense" : kernel}, gen));
      if (i < 3) layers.push_back(std::make_shared<Activation>(ActivationOptions{activation}));
    }
    return layers;
  }
};

// Guards against the feature-major runs computing something else than layer after layer: their
// padding columns, the transposes at a run's ends, the bias gradient summed along the batch.
TEST_CASE("sparse layers: an MLP on CSR kernels, feature-major between its Linears, equals it on dense kernels") {
  const int threads = num_threads();
  for (int t : {1, 2, 3})  // one block per thread in a run (tensor/sparse_linear.h)
    for (int64_t batch : {17, 1, 64, 50}) {
      CAPTURE(t);
      CAPTURE(batch);
      set_num_threads(t);
      Mlp sparse("sparse", "relu", 18), dense("dense", "relu", 18);
      CHECK(sparse_kernel_layers(sparse.model) == std::vector<std::string>{"0", "2", "6"});
      Generator gen(19);
      const Tensor x = normal({batch, Mlp::kWidths[0]}, gen);
      check_same(run(sparse.model, sparse.set, x, 20), run(dense.model, dense.set, x, 20), sparse.set);
    }
  set_num_threads(threads);
}

// Guards against a gradient cut into other blocks than its run's when the thread count changes
// between forward and backward: the backward must still equal the dense pass.
TEST_CASE("sparse layers: a feature-major run's backward on another thread count than its forward") {
  const int threads = num_threads();
  Mlp sparse("sparse", "relu", 24), dense("dense", "relu", 24);
  Generator gen(25);
  const Tensor x = normal({64, Mlp::kWidths[0]}, gen);
  set_num_threads(2);  // two blocks of 32 examples
  sparse.set.zero_grad();
  Variable input(x.clone(), true);
  Variable y = sparse.model(input);
  set_num_threads(1);
  Generator upstream(26);  // as run() draws it
  y.backward(normal(y.shape(), upstream));
  set_num_threads(threads);
  check_same({y.value(), input.grad(), sparse.set.gradients().clone()}, run(dense.model, dense.set, x, 26),
             sparse.set);
}

TEST_CASE("sparse layers: an MLP with feature-major runs passes the gradient checker") {
  Mlp sparse("sparse", "tanh", 21);  // smooth, so the checker's differences need no kinks avoided
  Generator gen(22);
  test::check_layer(sparse.model, normal({3, Mlp::kWidths[0]}, gen));
}

// Guards against summarize() seeing a feature-major run's transposed shapes.
TEST_CASE("sparse layers: a feature-major run reports batch-major shapes to summarize") {
  Mlp sparse("sparse", "relu", 23);
  const ModelSummary summary = summarize(sparse.model, {Mlp::kWidths[0]});
  REQUIRE(summary.layers.size() == 7);
  for (size_t i = 0; i < 7; i += 2) CHECK(summary.layers[i].output == Shape{Mlp::kWidths[i / 2 + 1]});
}

// Guards against a stale CSR pattern: pruning again must change what the layer computes, and
// rewinding values (a write to the flat buffer) must reach the kernels without a new mask.
TEST_CASE("sparse layers: a new mask rebuilds the pattern; new values need nothing") {
  Twin<Linear, LinearOptions> sparse({10, 8}, "sparse", 12), dense({10, 8}, "dense", 12);
  Generator gen(13);
  const Tensor x = normal({5, 10}, gen);
  for (double density : {0.5, 0.2, 0.05}) {
    const Tensor mask = random_mask({8, 10}, density, gen);
    sparse.set.set_mask("weight", mask);
    dense.set.set_mask("weight", mask);
    CHECK(max_abs_diff(sparse.layer(Variable(x)).value(), dense.layer(Variable(x)).value()) <= 1e-5f);
    const Tensor rewound = normal({sparse.set.size()}, gen);
    for (ParameterSet* set : {&sparse.set, &dense.set}) {
      set->values().copy_(rewound);
      set->apply_masks();
    }
    CHECK(max_abs_diff(sparse.layer(Variable(x)).value(), dense.layer(Variable(x)).value()) <= 1e-5f);
  }
}

// Guards against auto ignoring the density: dense until pruned below the break-even, CSR after.
TEST_CASE("sparse layers: auto switches to CSR below the break-even density") {
  Twin<Linear, LinearOptions> linear({100, 50}, "auto", 14);
  Twin<Conv2d, Conv2dOptions> conv({10, 10, 3, 1, 1, true}, "auto", 14);
  CHECK_FALSE(linear.layer.uses_sparse_kernel());  // no mask at all
  Generator gen(15);
  linear.set.set_mask("weight", random_mask({50, 100}, std::min(1.0, kLinearBreakEven * 1.5), gen));
  CHECK_FALSE(linear.layer.uses_sparse_kernel());
  linear.set.set_mask("weight", random_mask({50, 100}, kLinearBreakEven * 0.5, gen));
  CHECK(linear.layer.uses_sparse_kernel());
  conv.set.set_mask("weight", random_mask({10, 10, 3, 3}, kConvBreakEven * 0.5, gen));
  CHECK(conv.layer.uses_sparse_kernel());
  conv.set.set_mask("weight", Tensor::ones({10, 10, 3, 3}));
  CHECK_FALSE(conv.layer.uses_sparse_kernel());
}

// Guards against a typo silently running the default kernel.
TEST_CASE("sparse layers: an unknown kernel name is refused") {
  Generator gen(16);
  CHECK_THROWS_WITH_AS(Linear(LinearOptions{3, 2, true, "torch_default", "csr"}, gen), doctest::Contains("csr"), Error);
  Conv2dOptions options;
  options.kernel = "Sparse";
  CHECK_THROWS_AS(Conv2d(options, gen), Error);
}

// Guards against the report the lottery runner records per level ("were CSR kernels used") missing
// nested layers or naming them wrong.
TEST_CASE("sparse layers: sparse_kernel_layers names the layers on CSR kernels") {
  Generator gen(17);
  auto inner = std::make_shared<Sequential>(std::vector<ModulePtr>{std::make_shared<Linear>(LinearOptions{8, 8}, gen)});
  Sequential model({std::make_shared<Linear>(LinearOptions{8, 8}, gen), std::make_shared<Activation>(), inner});
  ParameterSet set(model);
  CHECK(sparse_kernel_layers(model).empty());
  set.set_mask("2.0.weight", random_mask({8, 8}, 0.05, gen));
  CHECK(sparse_kernel_layers(model) == std::vector<std::string>{"2.0"});
}
