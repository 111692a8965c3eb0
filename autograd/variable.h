#pragma once
// Define-by-run reverse mode. A Variable holds a value, its gradient and the function that made it.
// An op computes its result, then hands Variable a closure that adds into its inputs' gradients
// (flashlight's Variable(result, inputs, grad_fn)); backward() runs the closures in reverse
// topological order.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace sprig {

class Variable;
struct Node;

// Called with the gradient of the op's output and the op's inputs; adds into inputs[i] that
// requires_grad() (skipping the others saves the work).
using GradFn = std::function<void(const Tensor& grad_output, std::vector<Variable>& inputs)>;

class Variable {
 public:
  Variable() = default;  // undefined
  explicit Variable(Tensor value, bool requires_grad = false);  // a leaf: a constant or a parameter
  // An op's result: it joins the graph only if grad mode is on and some input requires a gradient.
  Variable(Tensor value, std::vector<Variable> inputs, GradFn grad_fn);

  bool defined() const { return node_ != nullptr; }
  const Tensor& value() const;
  Tensor& value();  // optimisers update parameters in place
  const Shape& shape() const { return value().shape(); }
  int64_t dim() const { return value().dim(); }
  int64_t numel() const { return value().numel(); }

  bool requires_grad() const;
  void set_requires_grad(bool value);
  bool is_leaf() const;

  // The accumulated gradient, undefined until backward reaches this variable.
  const Tensor& grad() const;
  // Uses `buffer` (e.g. a view into a flat gradient buffer) as this variable's gradient storage:
  // backward adds into it instead of allocating.
  void set_grad_buffer(Tensor buffer);
  void add_grad(Tensor gradient);  // accumulates; shapes must match
  // The gradient tensor itself, zero-filled on first use, for ops that accumulate straight into it
  // (a GEMM with beta = 1) instead of making a temporary for add_grad.
  Tensor& grad_accumulator();
  void zero_grad();                // zeroes the buffer if there is one, else drops the gradient
  // zero_grad without touching the buffer yet: the gradient reads as zero from here on, and the
  // first access clears the buffer (add_grad copies instead of adding, so it costs nothing extra)
  // unless a writer overwrites it first through grad_to_overwrite. ParameterSet::zero_grad defers
  // every parameter's, which spares a pruned weight's CSR layer a scattered zeroing pass per step.
  void defer_zero_grad();
  // For an op that writes a gradient only at a pattern of entries (a CSR layer's weight): the
  // gradient buffer, and whether it is a deferred zero, which the op then settles by writing its
  // pattern's entries instead of adding to them. The entries outside the pattern must already be
  // zero, as ParameterSet keeps a pruned weight's (its CSR pattern is the mask).
  Tensor& grad_to_overwrite(bool& overwrite);
  void settle_grad();  // carries out a deferred zeroing now: before the buffer is used as raw memory
  // A leaf's hook, called by every backward that reaches the leaf as soon as the leaf's gradient is
  // complete (its last consumer has run), while backward goes on: an all-reduce of the gradient can
  // start there and overlap the rest of the pass. An empty function removes it.
  void set_grad_ready_hook(std::function<void()> hook);

  void backward();                         // of a one-element variable, seeded with 1
  void backward(const Tensor& grad_output);  // seeded with grad_output (same shape)

  Variable detach() const;  // same value, no history, no gradient
  const std::string& name() const;
  void set_name(std::string name);
  bool same_node(const Variable& other) const { return node_ == other.node_; }

 private:
  std::shared_ptr<Node> node_;
};

struct Node {
  Tensor value;
  Tensor grad;
  bool requires_grad = false;
  std::vector<Variable> inputs;  // empty for leaves
  GradFn grad_fn;                // empty for leaves
  std::function<void()> grad_ready;  // leaves: see Variable::set_grad_ready_hook
  std::string name;
  bool grad_zero_deferred = false;  // see Variable::defer_zero_grad
};

// Grad mode is per thread; NoGradGuard turns it off for a scope (evaluation, optimiser steps).
bool grad_enabled();
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace sprig
