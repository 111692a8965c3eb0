#include "tensor/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor/strided.h"

namespace sprig {

namespace {
// Below this many elements a parallel region costs more than it saves. (Through parallel_ranges:
// a region that `if` turns serial still costs 0.4 us to open.)
constexpr int64_t kParallelElements = 1 << 15;

// fn(r) for rows [0, rows) of [rows, cols], split across threads from kParallelElements on.
template <typename Fn>
void for_rows(int64_t rows, int64_t cols, Fn&& fn) {
  detail::parallel_ranges(
      rows, rows * cols, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) fn(r);
      },
      kParallelElements);
}
}  // namespace

// x, y: [rows, cols]
void log_softmax_forward(const float* x, float* y, int64_t rows, int64_t cols) {
  for_rows(rows, cols, [&](int64_t r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float max = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < cols; ++j) max = std::max(max, xr[j]);
    float sum = 0.0f;
    for (int64_t j = 0; j < cols; ++j) sum += std::exp(xr[j] - max);
    // (x - max) - log(sum) rather than x - (max + log(sum)): with huge logits the latter rounds away log(sum).
    const float log_sum = std::log(sum);
    for (int64_t j = 0; j < cols; ++j) yr[j] = (xr[j] - max) - log_sum;
  });
}

// y, dy, dx: [rows, cols]
void log_softmax_backward(const float* y, const float* dy, float* dx, int64_t rows, int64_t cols) {
  for_rows(rows, cols, [&](int64_t r) {
    const float* yr = y + r * cols;
    const float* dyr = dy + r * cols;
    float* dxr = dx + r * cols;
    float dy_sum = 0.0f;
    for (int64_t j = 0; j < cols; ++j) dy_sum += dyr[j];
    for (int64_t j = 0; j < cols; ++j) dxr[j] = dyr[j] - std::exp(yr[j]) * dy_sum;
  });
}

// log_probs: [rows, cols], labels: [rows] in [0, cols) (see check_labels) -> scalar
float nll_mean(const float* log_probs, const int32_t* labels, int64_t rows, int64_t cols) {
  if (rows == 0) return 0.0f;
  double total = 0.0;  // serial: one term per row, and the sum stays the same whatever the thread count
  for (int64_t r = 0; r < rows; ++r) total -= log_probs[r * cols + labels[r]];
  return static_cast<float>(total / double(rows));
}

// log_probs, dlogits: [rows, cols], labels: [rows] in [0, cols)
void cross_entropy_backward(const float* log_probs, const int32_t* labels, float scale, float* dlogits, int64_t rows,
                            int64_t cols) {
  if (rows == 0) return;
  const float row_scale = scale / static_cast<float>(rows);
  for_rows(rows, cols, [&](int64_t r) {
    const float* lp = log_probs + r * cols;
    float* d = dlogits + r * cols;
    for (int64_t j = 0; j < cols; ++j) d[j] = std::exp(lp[j]) * row_scale;
    d[labels[r]] -= row_scale;
  });
}

Tensor log_softmax(const Tensor& logits) {
  SPRIG_CHECK(logits.dim() == 2, "log_softmax: expected logits [rows, classes] but got ", logits.shape());
  Tensor y = Tensor::empty(logits.shape());
  log_softmax_forward(logits.data(), y.data(), logits.size(0), logits.size(1));
  return y;
}

float cross_entropy(const Tensor& logits, const std::vector<int32_t>& labels) {
  SPRIG_CHECK(logits.dim() == 2, "cross_entropy: expected logits [rows, classes] but got ", logits.shape());
  check_labels(labels, logits.size(0), logits.size(1), "cross_entropy");
  const Tensor log_probs = log_softmax(logits);
  return nll_mean(log_probs.data(), labels.data(), logits.size(0), logits.size(1));
}

void check_labels(const std::vector<int32_t>& labels, int64_t rows, int64_t classes, const char* op) {
  SPRIG_CHECK(static_cast<int64_t>(labels.size()) == rows, op, ": ", labels.size(), " labels for ", rows,
              " rows of logits");
  SPRIG_CHECK(rows > 0, op, ": no rows to average the loss over");
  for (int64_t r = 0; r < rows; ++r)
    SPRIG_CHECK(labels[r] >= 0 && labels[r] < classes, op, ": label ", labels[r], " at row ", r,
                " is outside [0, ", classes, ") for ", classes, " classes");
}

}  // namespace sprig
