#include "tensor/batchnorm.h"

#include <cmath>
#include <vector>

namespace sprig {

namespace {

constexpr int64_t kParallelElements = int64_t{1} << 15;

// Calls f(c) for every channel, in parallel when x is big; each channel belongs to one thread.
template <typename F>
void for_each_channel(const BatchNormShape& s, F&& f) {
  const int64_t total = s.batch * s.channels * s.spatial;
#pragma omp parallel for schedule(static) if (s.channels > 1 && total > kParallelElements)
  for (int64_t c = 0; c < s.channels; ++c) f(c);
}

// Where row n of channel c starts in [N, C, S].
int64_t row_offset(const BatchNormShape& s, int64_t n, int64_t c) { return (n * s.channels + c) * s.spatial; }

// Channel c of x: Σ x and then Σ (x - mean)^2 (two passes: no cancellation), in double.
void channel_statistics(const BatchNormShape& s, const float* x, int64_t c, float& mean, float& var) {
  double total = 0.0;
  for (int64_t n = 0; n < s.batch; ++n) {
    const float* row = x + row_offset(s, n, c);
#pragma omp simd reduction(+ : total)
    for (int64_t i = 0; i < s.spatial; ++i) total += row[i];
  }
  const double m = total / double(s.count());
  double squares = 0.0;
  for (int64_t n = 0; n < s.batch; ++n) {
    const float* row = x + row_offset(s, n, c);
#pragma omp simd reduction(+ : squares)
    for (int64_t i = 0; i < s.spatial; ++i) squares += (row[i] - m) * (row[i] - m);
  }
  mean = static_cast<float>(m);
  var = static_cast<float>(squares / double(s.count()));
}

float inv_std(float var, float eps) { return 1.0f / std::sqrt(var + eps); }

}  // namespace

// x: [N, C, S] -> y: [N, C, S], one channel at a time: y = x * scale + shift.
void batchnorm_forward(const BatchNormShape& s, const float* x, const float* gamma, const float* beta, float eps,
                       bool batch_statistics, float* mean, float* var, float* y) {
  for_each_channel(s, [&](int64_t c) {
    if (batch_statistics) channel_statistics(s, x, c, mean[c], var[c]);
    const float scale = (gamma ? gamma[c] : 1.0f) * inv_std(var[c], eps);
    const float shift = (beta ? beta[c] : 0.0f) - mean[c] * scale;
    for (int64_t n = 0; n < s.batch; ++n) {
      const float* in = x + row_offset(s, n, c);
      float* out = y + row_offset(s, n, c);
      for (int64_t i = 0; i < s.spatial; ++i) out[i] = in[i] * scale + shift;
    }
  });
}

// dy, x: [N, C, S] -> dx: [N, C, S], dgamma, dbeta: [C]. With xhat = (x - mean) * invstd and k = gamma * invstd:
// dgamma = Σ dy * xhat, dbeta = Σ dy; dx = k * dy in evaluation, and in training
// dx = k * (dy - Σ dy / M - xhat * Σ dy * xhat / M), the last two terms from mean's and var's dependence on x.
void batchnorm_backward(const BatchNormShape& s, const float* x, const float* dy, const float* mean,
                        const float* var, const float* gamma, float eps, bool batch_statistics, float* dx,
                        float* dgamma, float* dbeta) {
  for_each_channel(s, [&](int64_t c) {
    const float m = mean[c], invstd = inv_std(var[c], eps);
    double sum_dy = 0.0, sum_dy_xmu = 0.0;  // Σ dy, Σ dy * (x - mean)
    for (int64_t n = 0; n < s.batch; ++n) {
      const float* g = dy + row_offset(s, n, c);
      const float* in = x + row_offset(s, n, c);
#pragma omp simd reduction(+ : sum_dy, sum_dy_xmu)
      for (int64_t i = 0; i < s.spatial; ++i) {
        sum_dy += g[i];
        sum_dy_xmu += g[i] * (in[i] - m);
      }
    }
    if (dgamma) dgamma[c] = static_cast<float>(sum_dy_xmu * invstd);
    if (dbeta) dbeta[c] = static_cast<float>(sum_dy);
    if (!dx) return;
    const float k = (gamma ? gamma[c] : 1.0f) * invstd;
    const double M = double(s.count());
    // dx = k * dy - (x - mean) * slope - offset; both zero when the statistics were constants.
    const float offset = batch_statistics ? static_cast<float>(k * sum_dy / M) : 0.0f;
    const float slope = batch_statistics ? static_cast<float>(k * invstd * invstd * sum_dy_xmu / M) : 0.0f;
    for (int64_t n = 0; n < s.batch; ++n) {
      const float* g = dy + row_offset(s, n, c);
      const float* in = x + row_offset(s, n, c);
      float* out = dx + row_offset(s, n, c);
      for (int64_t i = 0; i < s.spatial; ++i) out[i] = k * g[i] - (in[i] - m) * slope - offset;
    }
  });
}

namespace {
// Calls f(index) for every element of channel c of [N, C, S].
template <typename F>
void for_each_in_channel(const BatchNormShape& s, int64_t c, F&& f) {
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t i = 0; i < s.spatial; ++i) f(row_offset(s, n, c) + i);
}
}  // namespace

void batchnorm_forward_reference(const BatchNormShape& s, const float* x, const float* gamma, const float* beta,
                                 float eps, bool batch_statistics, float* mean, float* var, float* y) {
  const double M = double(s.count());
  for (int64_t c = 0; c < s.channels; ++c) {
    if (batch_statistics) {
      double total = 0.0, squares = 0.0;
      for_each_in_channel(s, c, [&](int64_t j) { total += x[j]; });
      const double m = total / M;
      for_each_in_channel(s, c, [&](int64_t j) { squares += (x[j] - m) * (x[j] - m); });
      mean[c] = static_cast<float>(m);
      var[c] = static_cast<float>(squares / M);
    }
    const double invstd = 1.0 / std::sqrt(double(var[c]) + eps);
    const double g = gamma ? gamma[c] : 1.0, b = beta ? beta[c] : 0.0;
    for_each_in_channel(s, c, [&](int64_t j) { y[j] = static_cast<float>((x[j] - mean[c]) * invstd * g + b); });
  }
}

void batchnorm_backward_reference(const BatchNormShape& s, const float* x, const float* dy, const float* mean,
                                  const float* var, const float* gamma, float eps, bool batch_statistics, float* dx,
                                  float* dgamma, float* dbeta) {
  const double M = double(s.count());
  for (int64_t c = 0; c < s.channels; ++c) {
    const double invstd = 1.0 / std::sqrt(double(var[c]) + eps), g = gamma ? gamma[c] : 1.0;
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for_each_in_channel(s, c, [&](int64_t j) {
      sum_dy += dy[j];
      sum_dy_xhat += dy[j] * (x[j] - mean[c]) * invstd;
    });
    if (dgamma) dgamma[c] = static_cast<float>(sum_dy_xhat);
    if (dbeta) dbeta[c] = static_cast<float>(sum_dy);
    if (!dx) continue;
    for_each_in_channel(s, c, [&](int64_t j) {
      const double xhat = (x[j] - mean[c]) * invstd;
      const double centred = batch_statistics ? dy[j] - sum_dy / M - xhat * sum_dy_xhat / M : dy[j];
      dx[j] = static_cast<float>(g * invstd * centred);
    });
  }
}

BatchNormShape batchnorm_shape(const Shape& x, const char* op) {
  SPRIG_CHECK(x.size() >= 2, op, ": expected input [N, C] or [N, C, ...] but got ", x);
  SPRIG_CHECK(x.numel() > 0, op, ": input ", x, " is empty");
  BatchNormShape s;
  s.batch = x[0];
  s.channels = x[1];
  s.spatial = Shape(x.begin() + 2, x.end()).numel();
  return s;
}

}  // namespace sprig
