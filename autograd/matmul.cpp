#include "autograd/matmul.h"

#include <algorithm>
#include <string>

#include "tensor/gemm.h"
#include "tensor/reduce.h"

namespace sprig {

// C = op(A) op(B). Each gradient is one GEMM straight into a fresh tensor; transposes are GEMM flags:
//   dA = dC op(B)^T      (A as stored: [M, K])     or  op(B) dC^T  (A stored as [K, M])
//   dB = op(A)^T dC      (B as stored: [K, N])     or  dC^T op(A)  (B stored as [N, K])
Variable matmul(const Variable& a, const Variable& b, bool trans_a, bool trans_b) {
  Tensor y = sprig::matmul(a.value(), b.value(), trans_a, trans_b);
  return Variable(y, {a, b}, [trans_a, trans_b](const Tensor& gy, std::vector<Variable>& in) {
    const Tensor& A = in[0].value();
    const Tensor& B = in[1].value();
    if (in[0].requires_grad())
      in[0].add_grad(trans_a ? sprig::matmul(B, gy, trans_b, true) : sprig::matmul(gy, B, false, !trans_b));
    if (in[1].requires_grad())
      in[1].add_grad(trans_b ? sprig::matmul(gy, A, true, trans_a) : sprig::matmul(A, gy, !trans_a, false));
  });
}

namespace {

void check_linear_shapes(const Tensor& x, const Tensor& weight, const Tensor* bias) {
  const std::string bias_shape = bias ? bias->shape().str() : "none";
  SPRIG_CHECK(x.dim() == 2 && weight.dim() == 2 && weight.size(1) == x.size(1) &&
                  (!bias || (bias->dim() == 1 && bias->size(0) == weight.size(0))),
              "linear: expected x [N, in], weight [out, in], bias [out] but got x ", x.shape(), ", weight ",
              weight.shape(), ", bias ", bias_shape);
}

}  // namespace

// x: [N, in], weight: [out, in], bias: [out] -> y: [N, out]
Variable linear(const Variable& x, const Variable& weight, const Variable& bias) {
  const Tensor& X = x.value();
  const Tensor& W = weight.value();
  check_linear_shapes(X, W, bias.defined() ? &bias.value() : nullptr);
  const int64_t N = X.size(0), in = X.size(1), out = W.size(0);

  // The bias seeds every row of y and GEMM accumulates on top of it (beta = 1).
  Tensor y = Tensor::empty({N, out});
  if (bias.defined())
    for (int64_t n = 0; n < N; ++n) std::copy_n(bias.value().data(), out, y.data() + n * out);
  gemm(false, true, N, out, in, 1.0f, X.data(), std::max<int64_t>(1, in), W.data(), std::max<int64_t>(1, in),
       bias.defined() ? 1.0f : 0.0f, y.data(), std::max<int64_t>(1, out));

  return Variable(y, {x, weight, bias}, [N, in, out](const Tensor& gy, std::vector<Variable>& in_vars) {
    if (in_vars[0].requires_grad()) in_vars[0].add_grad(sprig::matmul(gy, in_vars[1].value()));  // dy W
    if (in_vars[1].requires_grad()) {  // dW += dy^T x, straight into the weight's gradient buffer
      Tensor& dW = in_vars[1].grad_accumulator();
      gemm(true, false, out, in, N, 1.0f, gy.data(), std::max<int64_t>(1, out), in_vars[0].value().data(),
           std::max<int64_t>(1, in), 1.0f, dW.data(), std::max<int64_t>(1, in));
    }
    if (in_vars[2].requires_grad()) in_vars[2].add_grad(sum(gy, 0));  // column sums of dy
  });
}

}  // namespace sprig
