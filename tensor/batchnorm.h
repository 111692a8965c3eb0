#pragma once
// Batch normalisation kernels. x is viewed as [N, C, S]: S = H*W for images ([N, C, H, W]), 1 for
// features ([N, C]). Statistics are per channel c over its N*S values. One thread handles a whole
// channel (statistics, then its outputs while they are still in cache), summing in double in a fixed
// order, so results depend on neither the run nor the thread count.
// The *_reference twins are direct loops in double, kept for the tests.
#include <cstdint>

#include "tensor/tensor.h"

namespace sprig {

struct BatchNormShape {
  int64_t batch = 1, channels = 1, spatial = 1;
  int64_t count() const { return batch * spatial; }  // values per channel
};

// x: [N, C, S], gamma, beta: [C] (nullptr: 1 and 0) -> y: [N, C, S] = (x - mean) / sqrt(var + eps) * gamma + beta.
// batch_statistics (training): mean, var: [C] are written with x's own statistics, var biased (divided
// by N*S) as normalisation uses it. Otherwise (evaluation) they are read: the running statistics.
void batchnorm_forward(const BatchNormShape& s, const float* x, const float* gamma, const float* beta, float eps,
                       bool batch_statistics, float* mean, float* var, float* y);
// dy, x: [N, C, S]; mean, var, gamma: [C] as the forward used them -> dx: [N, C, S], dgamma, dbeta: [C]
// (overwritten; any may be nullptr). batch_statistics: mean and var were x's own, so dx includes
// their dependence on x; otherwise they were constants.
void batchnorm_backward(const BatchNormShape& s, const float* x, const float* dy, const float* mean,
                        const float* var, const float* gamma, float eps, bool batch_statistics, float* dx,
                        float* dgamma, float* dbeta);

void batchnorm_forward_reference(const BatchNormShape& s, const float* x, const float* gamma, const float* beta,
                                 float eps, bool batch_statistics, float* mean, float* var, float* y);
void batchnorm_backward_reference(const BatchNormShape& s, const float* x, const float* dy, const float* mean,
                                  const float* var, const float* gamma, float eps, bool batch_statistics, float* dx,
                                  float* dgamma, float* dbeta);

// [N, C] or [N, C, *] -> its [N, C, S] view; throws naming `op` for other ranks or empty sizes.
BatchNormShape batchnorm_shape(const Shape& x, const char* op);

}  // namespace sprig
