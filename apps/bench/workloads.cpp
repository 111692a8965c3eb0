#include "workloads.h"

#include "conv_layers.h"

#include <string>

#include "tensor/conv.h"
#include "tensor/error.h"
#include "tensor/gemm.h"
#include "tensor/generator.h"

namespace sprig::bench {

namespace {

Tensor random_tensor(Shape shape, Generator& gen) { return uniform(std::move(shape), gen, -1.0f, 1.0f); }

// Names and shape strings are built as error messages are (Shape prints as [2, 3]).
using detail::concat;

// op(A) [M, K] x op(B) [K, N] -> C [M, N], as the training step calls it.
struct GemmCall {
  const char* pass;
  bool trans_a, trans_b;
  int64_t M, N, K;
  double flops() const { return 2.0 * M * N * K; }
  std::string shape() const {
    return concat(trans_a ? "T" : "N", trans_b ? "T" : "N", " M=", M, " N=", N, " K=", K);
  }
};

Timing time_gemm(const TimingPlan& plan, const GemmCall& call) {
  Generator gen(1);
  const Tensor a = random_tensor({call.M * call.K}, gen);
  const Tensor b = random_tensor({call.K * call.N}, gen);
  Tensor c = Tensor::zeros({call.M * call.N});
  const int64_t lda = call.trans_a ? call.M : call.K;
  const int64_t ldb = call.trans_b ? call.K : call.N;
  return measure(plan, [&] {
    gemm(call.trans_a, call.trans_b, call.M, call.N, call.K, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(),
         call.N);
  });
}

// A linear layer x [B, in] -> y [B, out] with weight W [out, in] makes three GEMMs per step.
std::vector<GemmCall> linear_layer_calls(int64_t batch, int64_t in, int64_t out) {
  return {{"fwd y=xW^T", false, true, batch, out, in},
          {"dx=dyW", false, false, batch, in, out},
          {"dW=dy^Tx", true, false, out, in, batch}};
}

// Forward, backward, and their sum (the layer's share of a training step).
void conv_layer_rows(const TimingPlan& plan, const ConvLayer& layer, const RowSink& sink) {
  const Conv2dGeometry g = layer.geometry();
  const int64_t out_h = g.out_h(), out_w = g.out_w();
  Generator gen(2);
  const Tensor x = random_tensor({g.batch, g.in_channels, g.height, g.width}, gen);
  const Tensor w = random_tensor({g.out_channels, g.in_channels, g.kernel_h, g.kernel_w}, gen);
  const Tensor bias = random_tensor({g.out_channels}, gen);
  const Tensor dy = random_tensor({g.batch, g.out_channels, out_h, out_w}, gen);
  Tensor y = Tensor::empty({g.batch, g.out_channels, out_h, out_w});
  Tensor dx = Tensor::empty(x.shape()), dw = Tensor::empty(w.shape()), dbias = Tensor::empty(bias.shape());
  const float* bias_data = layer.bias ? bias.data() : nullptr;
  float* dx_data = layer.input_layer ? nullptr : dx.data();
  float* dbias_data = layer.bias ? dbias.data() : nullptr;

  const double gemm_flops = 2.0 * g.batch * g.out_channels * out_h * out_w * g.patch();
  const std::string shape = concat("x", x.shape(), " w", w.shape());
  const Timing forward = measure(plan, [&] { conv2d_forward(g, x.data(), w.data(), bias_data, y.data()); });
  const Row fwd{concat(layer.name(), " fwd"), shape, gemm_flops, forward.median};
  sink(fwd);
  const Timing backward =
      measure(plan, [&] { conv2d_backward(g, x.data(), w.data(), dy.data(), dx_data, dw.data(), dbias_data); });
  const Row bwd{concat(layer.name(), layer.input_layer ? " bwd(dw)" : " bwd"), shape,
                gemm_flops * (layer.input_layer ? 1 : 2), backward.median};
  sink(bwd);
  sink({concat(layer.name(), " fwd+bwd"), shape, fwd.flops + bwd.flops, fwd.seconds + bwd.seconds});
}

}  // namespace

void lenet_gemm_rows(const TimingPlan& plan, std::string_view filter, const RowSink& sink) {
  const int64_t layers[][2] = {{784, 300}, {300, 100}, {100, 10}};
  for (int64_t batch : {60, 128})
    for (const auto& layer : layers)
      for (const GemmCall& call : linear_layer_calls(batch, layer[0], layer[1])) {
        const std::string name = concat("lenet b", batch, " ", layer[0], "->", layer[1], " ", call.pass);
        if (name.find(filter) != std::string::npos)
          sink({name, call.shape(), call.flops(), time_gemm(plan, call).median});
      }
}

void conv_rows(const TimingPlan& plan, std::string_view filter, const RowSink& sink) {
  for (const ConvLayer& layer : kConvLayers)
    if (layer.name().find(filter) != std::string::npos) conv_layer_rows(plan, layer, sink);
}

nlohmann::json conv_layer_list(std::string_view filter) {
  nlohmann::json layers = nlohmann::json::array();
  for (const ConvLayer& l : kConvLayers)
    if (l.name().find(filter) != std::string::npos)
      layers.push_back({{"name", l.name()}, {"batch", l.batch}, {"in_channels", l.in_channels},
                        {"out_channels", l.out_channels}, {"size", l.size}, {"kernel", l.kernel}, {"stride", l.stride},
                        {"input_layer", l.input_layer}, {"bias", l.bias}});
  return layers;
}

double sgemm_ceiling(const TimingPlan& plan, int64_t n) {
  TimingPlan longer = plan;  // the best of more calls: every row is judged against this number
  longer.min_time = 3 * plan.min_time;
  const GemmCall call{"ceiling", false, false, n, n, n};
  return call.flops() / time_gemm(longer, call).best * 1e-9;
}

}  // namespace sprig::bench
