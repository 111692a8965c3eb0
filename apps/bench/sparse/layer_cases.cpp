#include "layer_cases.h"

#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/parameter_set.h"
#include "tensor/gemm.h"
#include "tensor/sparse_conv.h"
#include "tensor/sparse_linear.h"

namespace sprig::bench {

using detail::concat;

Shape LayerCase::weight_shape() const {
  if (!conv) return {out, in};
  return {layer.out_channels, layer.in_channels, layer.kernel, layer.kernel};
}

double LayerCase::dense_flops() const {
  if (!conv) return 2.0 * double(batch * in * out);
  const Conv2dGeometry g = layer.geometry();
  return 2.0 * double(g.batch * g.out_channels * g.out_h() * g.out_w() * g.patch());
}

cli::Json LayerCase::spec() const {
  if (!conv) return {{"name", name}, {"kind", "linear"}, {"batch", batch}, {"in", in}, {"out", out}};
  return {{"name", name},           {"kind", "conv"},         {"batch", layer.batch},
          {"in", layer.in_channels}, {"out", layer.out_channels}, {"size", layer.size},
          {"kernel", layer.kernel}, {"stride", layer.stride},   {"padding", layer.kernel / 2},
          {"input_layer", layer.input_layer}, {"bias", layer.bias}};
}

std::vector<LayerCase> layer_cases() {
  std::vector<LayerCase> cases;
  const int64_t linear[][3] = {{60, 784, 300}, {128, 784, 300}, {60, 300, 100}, {128, 300, 100},
                               {128, 1024, 1024}, {128, 4096, 4096}};
  for (const auto& l : linear)
    cases.push_back({concat("linear ", l[2], "x", l[1], " b", l[0]), false, l[0], l[1], l[2], {}});
  for (const ConvLayer& layer : kConvLayers) cases.push_back({layer.name(), true, 0, 0, 0, layer});
  return cases;
}

namespace {

Tensor random_mask(const Shape& shape, double density, Generator& gen) {
  Tensor mask = Tensor::empty(shape);
  for (int64_t i = 0; i < mask.numel(); ++i) mask.data()[i] = gen.uniform_double() < density ? 1.0f : 0.0f;
  return mask;
}

// The nn layer's forward and backward, with the mask (if any) set through a ParameterSet.
template <class Layer>
double time_module(Layer& layer, double density, const Tensor& x, const Tensor& dy, bool input_grad,
                   const TimingPlan& plan, Generator& gen) {
  nn::ParameterSet set(layer);
  if (density >= 0) set.set_mask("weight", random_mask(layer.parameter("weight").value().shape(), density, gen));
  return measure(plan, [&] {
    set.zero_grad();
    Variable input(x, input_grad);
    layer(input).backward(dy);
  }).median;
}

Parts time_linear(const LayerCase& c, double density, const TimingPlan& plan) {
  Generator gen(1);
  const Tensor x = normal({c.batch, c.in}, gen), dy = normal({c.batch, c.out}, gen);
  const std::string kernel = density < 0 ? "dense" : "sparse";
  nn::Linear layer({c.in, c.out, true, "torch_default", kernel}, gen);
  const Tensor& w = layer.parameter("weight").value();
  Parts parts;
  if (density < 0) {
    Tensor y = Tensor::empty({c.batch, c.out}), dx = Tensor::empty({c.batch, c.in}), dw = Tensor::empty(w.shape());
    parts.forward = measure(plan, [&] {
      gemm(false, true, c.batch, c.out, c.in, 1.0f, x.data(), c.in, w.data(), c.in, 0.0f, y.data(), c.out);
    }).median;
    parts.input_grad = measure(plan, [&] {
      gemm(false, false, c.batch, c.in, c.out, 1.0f, dy.data(), c.out, w.data(), c.in, 0.0f, dx.data(), c.in);
    }).median;
    parts.weight_grad = measure(plan, [&] {
      gemm(true, false, c.out, c.in, c.batch, 1.0f, dy.data(), c.out, x.data(), c.in, 0.0f, dw.data(), c.in);
    }).median;
  } else {
    const Tensor mask = random_mask(w.shape(), density, gen);
    SparseWeight sw(mask.data(), c.out, c.in);
    Tensor xt, dyt = batch_along_rows(dy), dw = Tensor::zeros(w.shape());
    parts.forward = measure(plan, [&] {
      sparse_linear_forward(sw, w.data(), x, nullptr, xt);
    }).median;
    parts.input_grad = measure(plan, [&] {
      sw.mark_transposes_stale();  // as each forward leaves them (its gather is the forward's time)
      sw.refresh_transposes();
      sparse_linear_input_grad(sw, batch_along_rows(dy), c.batch);
    }).median;
    parts.weight_grad = measure(plan, [&] { sparse_linear_weight_grad(sw, dyt, xt, dw.data(), /*overwrite=*/true); }).median;
  }
  parts.layer = time_module(layer, density, x, dy, true, plan, gen);
  return parts;
}

// Conv backward computes dx and dW in one call: dW alone is timed with dx = null, dx as the rest.
Parts time_conv(const LayerCase& c, double density, const TimingPlan& plan) {
  Generator gen(2);
  const Conv2dGeometry g = c.layer.geometry();
  const Tensor x = normal({g.batch, g.in_channels, g.height, g.width}, gen);
  const Tensor dy = normal({g.batch, g.out_channels, g.out_h(), g.out_w()}, gen);
  nn::Conv2d layer({g.in_channels, g.out_channels, g.kernel_h, g.stride, g.padding, c.layer.bias, "torch_default",
                    density < 0 ? "dense" : "sparse"},
                   gen);
  const Tensor& w = layer.parameter("weight").value();
  Tensor y = Tensor::empty(dy.shape()), dx = Tensor::empty(x.shape()), dw = Tensor::empty({w.numel()});
  float* dx_data = c.layer.input_layer ? nullptr : dx.data();
  Parts parts;
  double both = 0;
  if (density < 0) {
    parts.forward = measure(plan, [&] { conv2d_forward(g, x.data(), w.data(), nullptr, y.data()); }).median;
    parts.weight_grad =
        measure(plan, [&] { conv2d_backward(g, x.data(), w.data(), dy.data(), nullptr, dw.data(), nullptr); }).median;
    both = measure(plan, [&] { conv2d_backward(g, x.data(), w.data(), dy.data(), dx_data, dw.data(), nullptr); }).median;
  } else {
    const Tensor mask = random_mask(w.shape(), density, gen);
    SparseWeight sw(mask.data(), g.out_channels, g.patch(), g.stride == 1 ? g.kernel_h * g.kernel_w : 1);  // as nn::Conv2d
    parts.forward = measure(plan, [&] {
      sw.refresh(w.data());
      sparse_conv2d_forward(g, x.data(), sw, nullptr, y.data());
    }).median;
    parts.weight_grad = measure(plan, [&] {
      sparse_conv2d_backward(g, x.data(), sw, dy.data(), nullptr, dw.data(), nullptr);
    }).median;
    both = measure(plan, [&] {
      sw.mark_transposes_stale();  // as each forward leaves them (its gather is the forward's time)
      sw.refresh_transposes();
      sparse_conv2d_backward(g, x.data(), sw, dy.data(), dx_data, dw.data(), nullptr);
    }).median;
  }
  parts.input_grad = dx_data ? std::max(0.0, both - parts.weight_grad) : 0.0;
  parts.layer = time_module(layer, density, x, dy, !c.layer.input_layer, plan, gen);
  return parts;
}

}  // namespace

Parts time_layer_case(const LayerCase& c, double density, const TimingPlan& plan) {
  return c.conv ? time_conv(c, density, plan) : time_linear(c, density, plan);
}

}  // namespace sprig::bench
