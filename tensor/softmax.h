#pragma once
// Row-wise log-softmax and cross-entropy from logits and integer labels, max-subtracted so large
// logits neither overflow nor lose precision.
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace sprig {

// x, y: [rows, cols]. y = x - max - log(sum(exp(x - max))).
void log_softmax_forward(const float* x, float* y, int64_t rows, int64_t cols);
// y: the forward's output, dy -> dx = dy - exp(y) * sum(dy) per row.
void log_softmax_backward(const float* y, const float* dy, float* dx, int64_t rows, int64_t cols);
// Mean over rows of -log_probs[label]; log_probs: [rows, cols] from log_softmax_forward.
float nll_mean(const float* log_probs, const int32_t* labels, int64_t rows, int64_t cols);
// d(mean loss)/d(logits) scaled by `scale` (the upstream gradient): (softmax - onehot) * scale / rows.
void cross_entropy_backward(const float* log_probs, const int32_t* labels, float scale, float* dlogits, int64_t rows,
                            int64_t cols);

Tensor log_softmax(const Tensor& logits);  // [rows, cols]
// Mean cross-entropy; throws naming the row if a label is outside [0, cols).
float cross_entropy(const Tensor& logits, const std::vector<int32_t>& labels);
void check_labels(const std::vector<int32_t>& labels, int64_t rows, int64_t classes, const char* op);

}  // namespace sprig
