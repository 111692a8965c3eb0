#include "autograd/variable.h"

#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "tensor/elementwise.h"

namespace sprig {

namespace {
thread_local bool tls_grad_enabled = true;

void settle(Node& node) {  // a deferred zeroing, carried out
  if (!node.grad_zero_deferred) return;
  node.grad.fill_(0.0f);
  node.grad_zero_deferred = false;
}
}  // namespace

bool grad_enabled() { return tls_grad_enabled; }
NoGradGuard::NoGradGuard() : previous_(tls_grad_enabled) { tls_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { tls_grad_enabled = previous_; }

Variable::Variable(Tensor value, bool requires_grad) : node_(std::make_shared<Node>()) {
  SPRIG_CHECK(value.defined(), "Variable: value is an undefined tensor");
  node_->value = std::move(value);
  node_->requires_grad = requires_grad;
}

Variable::Variable(Tensor value, std::vector<Variable> inputs, GradFn grad_fn) : Variable(std::move(value)) {
  if (!grad_enabled()) return;
  bool any = false;
  for (const Variable& input : inputs) any = any || (input.defined() && input.requires_grad());
  if (!any) return;
  node_->requires_grad = true;
  node_->inputs = std::move(inputs);
  node_->grad_fn = std::move(grad_fn);
}

const Tensor& Variable::value() const {
  SPRIG_CHECK(node_, "Variable::value: undefined variable");
  return node_->value;
}
Tensor& Variable::value() {
  SPRIG_CHECK(node_, "Variable::value: undefined variable");
  return node_->value;
}

bool Variable::requires_grad() const { return node_ && node_->requires_grad; }
void Variable::set_requires_grad(bool value) {
  SPRIG_CHECK(is_leaf(), "set_requires_grad: only leaves (not op results) can change this");
  node_->requires_grad = value;
}
bool Variable::is_leaf() const { return node_ && !node_->grad_fn; }

const Tensor& Variable::grad() const {
  SPRIG_CHECK(node_, "Variable::grad: undefined variable");
  settle(*node_);  // reading the gradient is an access that needs the zeros
  return node_->grad;
}

void Variable::set_grad_buffer(Tensor buffer) {
  SPRIG_CHECK(buffer.shape() == shape(), "set_grad_buffer: buffer ", buffer.shape(), " for variable ",
              name().empty() ? "" : "'" + name() + "' ", "of shape ", shape());
  node_->grad = std::move(buffer);
  node_->grad_zero_deferred = false;
}

void Variable::add_grad(Tensor gradient) {
  SPRIG_CHECK(gradient.shape() == shape(), "add_grad: gradient ", gradient.shape(), " for a variable ",
              name().empty() ? "" : "'" + name() + "' ", "of shape ", shape());
  Tensor& grad = node_->grad;
  if (node_->grad_zero_deferred) {
    grad.copy_(gradient);
    node_->grad_zero_deferred = false;
  } else if (grad.defined()) {
    axpy_(grad, 1.0f, gradient);
  } else {
    // The gradient becomes ours; copy it only if someone else might still write to its storage.
    grad = gradient.storage_unique() ? std::move(gradient) : gradient.clone();
  }
}

Tensor& Variable::grad_accumulator() {
  settle(*node_);
  if (!node_->grad.defined()) node_->grad = Tensor::zeros(shape());
  return node_->grad;
}

Tensor& Variable::grad_to_overwrite(bool& overwrite) {
  overwrite = node_->grad_zero_deferred;
  node_->grad_zero_deferred = false;
  return overwrite ? node_->grad : grad_accumulator();
}

void Variable::zero_grad() {
  if (!node_ || !node_->grad.defined()) return;
  node_->grad.fill_(0.0f);
  node_->grad_zero_deferred = false;
}

void Variable::defer_zero_grad() {
  if (!node_ || !node_->grad.defined()) return;
  node_->grad_zero_deferred = true;
}

void Variable::settle_grad() {
  if (node_) settle(*node_);
}

void Variable::backward() {
  SPRIG_CHECK(numel() == 1, "backward: needs a one-element output (or an explicit gradient), got shape ", shape());
  backward(Tensor::ones(shape()));
}

void Variable::backward(const Tensor& grad_output) {
  SPRIG_CHECK(requires_grad(), "backward: this variable does not require a gradient (no input needs one, or grad mode was off)");
  SPRIG_CHECK(grad_output.shape() == shape(), "backward: gradient ", grad_output.shape(), " for output ", shape());

  // Post-order DFS without recursion, so deep graphs cannot overflow the stack.
  // `order` owns its nodes: clearing a node's inputs below can drop the last other reference to a child
  // that is still waiting for its turn.
  std::vector<std::shared_ptr<Node>> order;
  std::unordered_set<Node*> seen{node_.get()};
  std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack{{node_, 0}};
  while (!stack.empty()) {
    auto& [node, next_input] = stack.back();
    if (next_input < node->inputs.size()) {
      std::shared_ptr<Node> child = node->inputs[next_input++].node_;
      if (child && child->grad_fn && seen.insert(child.get()).second) stack.push_back({std::move(child), 0});
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }

  // Leaves with a ready hook: how many of the ops still to run consume each.
  std::unordered_map<Node*, int> pending_consumers;
  for (const auto& node : order)
    for (const Variable& input : node->inputs)
      if (input.node_ && input.node_->grad_ready && input.node_->requires_grad) ++pending_consumers[input.node_.get()];

  add_grad(grad_output.clone());
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* node = it->get();
    if (node->grad_fn && node->grad.defined()) node->grad_fn(node->grad, node->inputs);
    for (const Variable& input : node->inputs) {
      const auto pending = pending_consumers.find(input.node_.get());
      if (pending != pending_consumers.end() && --pending->second == 0) input.node_->grad_ready();
    }
    // The graph is used once: drop the closures and the links so saved tensors are freed now.
    node->grad_fn = nullptr;
    node->inputs.clear();
    it->reset();
  }
}

void Variable::set_grad_ready_hook(std::function<void()> hook) {
  SPRIG_CHECK(node_ && !node_->grad_fn, "set_grad_ready_hook: only a leaf variable takes a gradient-ready hook");
  node_->grad_ready = std::move(hook);
}

Variable Variable::detach() const { return Variable(value()); }

const std::string& Variable::name() const {
  static const std::string none;
  return node_ ? node_->name : none;
}
void Variable::set_name(std::string name) { node_->name = std::move(name); }

}  // namespace sprig
