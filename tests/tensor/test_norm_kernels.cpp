// Batch normalisation kernels against their double-precision reference twins.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "tensor/batchnorm.h"
#include "tensor/generator.h"
#include "tensor/runtime.h"

using namespace sprig;

namespace {

struct BatchNormCase {
  const char* why;
  int64_t batch, channels, spatial;
  bool affine;
};

const BatchNormCase kCases[] = {
    {"features [N, C] (BatchNorm1d): one value per channel per example", 8, 5, 1, true},
    {"images [N, C, H*W] with gamma and beta", 4, 3, 25, true},
    {"no affine parameters: gamma 1, beta 0", 3, 4, 9, false},
    {"batch 1: statistics come from one image's pixels", 1, 3, 16, true},
    {"big enough to split channels over threads", 16, 24, 256, true},
};

struct Data {
  BatchNormShape s;
  Tensor x, dy, gamma, beta;
  const float* g() const { return gamma.defined() ? gamma.data() : nullptr; }
  const float* b() const { return beta.defined() ? beta.data() : nullptr; }
};

// Channels with distinct means (up to 5) and scales, so statistics mixed between channels show.
Data make_data(const BatchNormCase& c, uint64_t seed) {
  Data d{{c.batch, c.channels, c.spatial}, {}, {}, {}, {}};
  Generator gen(seed);
  d.x = normal({c.batch, c.channels, c.spatial}, gen);
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t ch = 0; ch < c.channels; ++ch)
      for (int64_t i = 0; i < c.spatial; ++i) d.x.at({n, ch, i}) = d.x.at({n, ch, i}) * (1.0f + ch) + 5.0f - ch;
  d.dy = normal(d.x.shape(), gen);
  if (c.affine) {
    d.gamma = normal({c.channels}, gen, 1.0f, 0.5f);
    d.beta = normal({c.channels}, gen);
  }
  return d;
}

void check_close(const Tensor& actual, const Tensor& expected, double tolerance) {
  double worst = 0.0;
  for (int64_t i = 0; i < actual.numel(); ++i)
    worst = std::max(worst, std::abs(double(actual.data()[i]) - expected.data()[i]) / (1.0 + std::abs(expected.data()[i])));
  CHECK(worst <= tolerance);
}

}  // namespace

TEST_CASE("batchnorm_forward matches the reference, with batch and with given statistics") {
  for (const BatchNormCase& c : kCases) {
    INFO(std::string(c.why));
    const Data d = make_data(c, 1);
    const Shape stats{c.channels};
    Tensor mean = Tensor::empty(stats), var = Tensor::empty(stats), mean_ref = Tensor::empty(stats),
           var_ref = Tensor::empty(stats), y = Tensor::empty(d.x.shape()), y_ref = Tensor::empty(d.x.shape());
    batchnorm_forward(d.s, d.x.data(), d.g(), d.b(), 1e-5f, true, mean.data(), var.data(), y.data());
    batchnorm_forward_reference(d.s, d.x.data(), d.g(), d.b(), 1e-5f, true, mean_ref.data(), var_ref.data(),
                                y_ref.data());
    check_close(mean, mean_ref, 1e-6);
    check_close(var, var_ref, 1e-6);
    check_close(y, y_ref, 1e-5);

    // Evaluation: the statistics are inputs and stay as they are.
    Generator gen(2);
    const Tensor running_mean = normal(stats, gen), running_var = uniform(stats, gen, 0.5f, 2.0f);
    Tensor m = running_mean.clone(), v = running_var.clone();
    batchnorm_forward(d.s, d.x.data(), d.g(), d.b(), 1e-3f, false, m.data(), v.data(), y.data());
    batchnorm_forward_reference(d.s, d.x.data(), d.g(), d.b(), 1e-3f, false, m.data(), v.data(), y_ref.data());
    CHECK(m.to_vector() == running_mean.to_vector());
    CHECK(v.to_vector() == running_var.to_vector());
    check_close(y, y_ref, 1e-5);
  }
}

TEST_CASE("batchnorm_backward matches the reference, training and evaluation") {
  for (const BatchNormCase& c : kCases)
    for (bool training : {true, false}) {
      INFO(std::string(c.why), (training ? ", training" : ", evaluation"));
      const Data d = make_data(c, 3);
      const Shape stats{c.channels};
      Tensor mean = Tensor::empty(stats), var = Tensor::empty(stats), y = Tensor::empty(d.x.shape());
      batchnorm_forward(d.s, d.x.data(), d.g(), d.b(), 1e-5f, true, mean.data(), var.data(), y.data());
      Tensor dx = Tensor::empty(d.x.shape()), dgamma = Tensor::empty(stats), dbeta = Tensor::empty(stats);
      Tensor dx_ref = dx.clone(), dgamma_ref = dgamma.clone(), dbeta_ref = dbeta.clone();
      batchnorm_backward(d.s, d.x.data(), d.dy.data(), mean.data(), var.data(), d.g(), 1e-5f, training, dx.data(),
                         dgamma.data(), dbeta.data());
      batchnorm_backward_reference(d.s, d.x.data(), d.dy.data(), mean.data(), var.data(), d.g(), 1e-5f, training,
                                   dx_ref.data(), dgamma_ref.data(), dbeta_ref.data());
      check_close(dx, dx_ref, 1e-5);
      check_close(dgamma, dgamma_ref, 1e-5);
      check_close(dbeta, dbeta_ref, 1e-5);
      // Any output may be skipped.
      batchnorm_backward(d.s, d.x.data(), d.dy.data(), mean.data(), var.data(), d.g(), 1e-5f, training, nullptr,
                         nullptr, nullptr);
    }
}

TEST_CASE("batchnorm: training output has zero mean and unit variance per channel before the affine step") {
  const Data d = make_data({"", 6, 4, 10, false}, 4);
  Tensor mean = Tensor::empty({4}), var = Tensor::empty({4}), y = Tensor::empty(d.x.shape());
  batchnorm_forward(d.s, d.x.data(), nullptr, nullptr, 0.0f, true, mean.data(), var.data(), y.data());
  for (int64_t c = 0; c < 4; ++c) {
    double total = 0.0, squares = 0.0;
    for (int64_t n = 0; n < 6; ++n)
      for (int64_t i = 0; i < 10; ++i) {
        total += y.at({n, c, i});
        squares += double(y.at({n, c, i})) * y.at({n, c, i});
      }
    CHECK(std::abs(total / 60) < 1e-6);
    CHECK(squares / 60 == doctest::Approx(1.0).epsilon(1e-5));
  }
}

TEST_CASE("batchnorm kernels give the same bits on 1 and 2 threads") {
  const Data d = make_data(kCases[4], 5);
  const Shape stats{d.s.channels};
  auto run = [&](int threads) {
    set_num_threads(threads);
    Tensor mean = Tensor::empty(stats), var = Tensor::empty(stats), y = Tensor::empty(d.x.shape());
    Tensor dx = Tensor::empty(d.x.shape()), dgamma = Tensor::empty(stats), dbeta = Tensor::empty(stats);
    batchnorm_forward(d.s, d.x.data(), d.g(), d.b(), 1e-5f, true, mean.data(), var.data(), y.data());
    batchnorm_backward(d.s, d.x.data(), d.dy.data(), mean.data(), var.data(), d.g(), 1e-5f, true, dx.data(),
                       dgamma.data(), dbeta.data());
    return std::vector<std::vector<float>>{y.to_vector(), dx.to_vector(), dgamma.to_vector(), dbeta.to_vector()};
  };
  const int before = num_threads();
  const auto one = run(1), two = run(2);
  set_num_threads(before);
  CHECK(one == two);
}

TEST_CASE("batchnorm_shape: [N, C] and [N, C, ...] only, not empty") {
  const BatchNormShape s = batchnorm_shape({2, 3, 4, 5}, "test");
  CHECK(s.batch == 2);
  CHECK(s.channels == 3);
  CHECK(s.spatial == 20);
  CHECK(batchnorm_shape({7, 3}, "test").spatial == 1);
  CHECK_THROWS_WITH_AS(batchnorm_shape({3}, "bn"), doctest::Contains("[3]"), Error);
  CHECK_THROWS_AS(batchnorm_shape({0, 3, 2, 2}, "bn"), Error);
}
