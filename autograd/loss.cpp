#include "autograd/loss.h"

#include "tensor/softmax.h"

namespace sprig {

// logits: [rows, classes] -> y: [rows, classes]; backward needs only y.
Variable log_softmax(const Variable& logits) {
  Tensor y = sprig::log_softmax(logits.value());
  return Variable(y, {logits}, [y](const Tensor& gy, std::vector<Variable>& in) {
    if (!in[0].requires_grad()) return;
    Tensor dx = Tensor::empty(y.shape());
    log_softmax_backward(y.data(), gy.data(), dx.data(), y.size(0), y.size(1));
    in[0].add_grad(dx);
  });
}

// logits: [rows, classes], labels: [rows] -> rank 0. One fused op: the backward is
// (softmax - onehot) / rows * upstream, computed from the saved log-probabilities.
Variable cross_entropy(const Variable& logits, const std::vector<int32_t>& labels) {
  const Tensor& x = logits.value();
  SPRIG_CHECK(x.dim() == 2, "cross_entropy: expected logits [rows, classes] but got ", x.shape());
  check_labels(labels, x.size(0), x.size(1), "cross_entropy");
  Tensor log_probs = sprig::log_softmax(x);
  const float loss = nll_mean(log_probs.data(), labels.data(), x.size(0), x.size(1));
  return Variable(Tensor::scalar(loss), {logits}, [log_probs, labels](const Tensor& gy, std::vector<Variable>& in) {
    if (!in[0].requires_grad()) return;
    Tensor dx = Tensor::empty(log_probs.shape());
    cross_entropy_backward(log_probs.data(), labels.data(), gy.item(), dx.data(), log_probs.size(0),
                           log_probs.size(1));
    in[0].add_grad(dx);
  });
}

}  // namespace sprig
