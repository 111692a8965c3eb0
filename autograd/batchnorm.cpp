#include "autograd/batchnorm.h"

#include "tensor/batchnorm.h"

namespace sprig {

namespace {

void check_channels(const Tensor& t, int64_t channels, const char* what, const Shape& input) {
  SPRIG_CHECK(!t.defined() || t.shape() == Shape{channels}, "batch_norm: expected ", what, " [", channels,
              "] for input ", input, " but got ", t.shape());
}

// running = (1 - momentum) * running + momentum * batch, the variance made unbiased.
void update_running(Tensor& running_mean, Tensor& running_var, const Tensor& mean, const Tensor& var, int64_t count,
                    double momentum) {
  const double unbias = double(count) / double(count - 1);
  float* rm = running_mean.data();
  float* rv = running_var.data();
  for (int64_t c = 0; c < mean.numel(); ++c) {
    rm[c] = static_cast<float>((1.0 - momentum) * rm[c] + momentum * mean.data()[c]);
    rv[c] = static_cast<float>((1.0 - momentum) * rv[c] + momentum * unbias * var.data()[c]);
  }
}

const float* data_or_null(const Variable& v) { return v.defined() ? v.value().data() : nullptr; }

}  // namespace

Variable batch_norm(const Variable& x, const Variable& weight, const Variable& bias, Tensor running_mean,
                    Tensor running_var, bool training, double momentum, double eps) {
  const BatchNormShape s = batchnorm_shape(x.shape(), "batch_norm");
  check_channels(weight.defined() ? weight.value() : Tensor(), s.channels, "weight", x.shape());
  check_channels(bias.defined() ? bias.value() : Tensor(), s.channels, "bias", x.shape());
  check_channels(running_mean, s.channels, "running_mean", x.shape());
  check_channels(running_var, s.channels, "running_var", x.shape());
  SPRIG_CHECK(running_mean.defined() == running_var.defined(), "batch_norm: running_mean and running_var must both be given or both be left out");
  SPRIG_CHECK(!training || s.count() > 1, "batch_norm: training needs more than one value per channel, got input ",
              x.shape());
  SPRIG_CHECK(training || running_mean.defined(), "batch_norm: evaluation needs running statistics (input ",
              x.shape(), ")");
  SPRIG_CHECK(eps > 0.0 && momentum >= 0.0 && momentum <= 1.0, "batch_norm: expected eps > 0 and momentum in [0, 1], got eps ",
              eps, " and momentum ", momentum);

  // Copies of the running statistics: the backward must see what this forward used.
  Tensor mean = training ? Tensor::empty({s.channels}) : running_mean.clone();
  Tensor var = training ? Tensor::empty({s.channels}) : running_var.clone();
  Tensor y = Tensor::empty(x.shape());
  const float epsf = static_cast<float>(eps);
  batchnorm_forward(s, x.value().data(), data_or_null(weight), data_or_null(bias), epsf, training, mean.data(),
                    var.data(), y.data());
  if (training && running_mean.defined()) update_running(running_mean, running_var, mean, var, s.count(), momentum);

  return Variable(y, {x, weight, bias}, [s, mean, var, epsf, training](const Tensor& gy, std::vector<Variable>& in) {
    const bool need_dx = in[0].requires_grad(), need_dgamma = in[1].requires_grad(), need_dbeta = in[2].requires_grad();
    Tensor dx = need_dx ? Tensor::empty(in[0].shape()) : Tensor();
    Tensor dgamma = need_dgamma ? Tensor::empty({s.channels}) : Tensor();
    Tensor dbeta = need_dbeta ? Tensor::empty({s.channels}) : Tensor();
    batchnorm_backward(s, in[0].value().data(), gy.data(), mean.data(), var.data(), data_or_null(in[1]), epsf,
                       training, dx.data(), dgamma.data(), dbeta.data());
    if (need_dx) in[0].add_grad(std::move(dx));
    if (need_dgamma) in[1].add_grad(std::move(dgamma));
    if (need_dbeta) in[2].add_grad(std::move(dbeta));
  });
}

}  // namespace sprig
