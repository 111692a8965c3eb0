#pragma once
// Module: the building block of models (PyTorch's C++ frontend, without the macros).
// A module owns named parameters, buffers and child modules; names join with '.' as in PyTorch
// ("features.0.weight"), so checkpoints, masks and BatchNorm scales are found by name.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/variable.h"

namespace sprig::nn {

// A trainable tensor and what pruning needs beside it.
struct Parameter {
  Variable variable;      // value and gradient
  bool prunable = false;  // weights of Linear and Conv2d are; biases and BatchNorm are not, unless asked
  Tensor mask;            // undefined while dense; else 0/1, same shape (a view into ParameterSet::masks)
  uint64_t mask_version = 0;  // changes whenever ParameterSet::set_mask writes the mask (layers rebuild CSR)

  const Tensor& value() const { return variable.value(); }
  Tensor& value() { return variable.value(); }
};

class Module;
using ModulePtr = std::shared_ptr<Module>;

template <typename T>
using Named = std::vector<std::pair<std::string, T>>;

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  virtual Variable forward(const Variable& input) = 0;
  Variable operator()(const Variable& input);  // forward, seen by summarize() when it is listening

  virtual std::string type_name() const = 0;            // "Linear"
  virtual std::string describe() const { return ""; }   // "784 -> 300, bias"
  // Multiply-accumulates times two for one example, given the input and output shapes of that example.
  virtual int64_t flops(const Shape& input, const Shape& output) const { return 0; }
  // Whether the next forward runs CSR kernels on a pruned weight (nn/masked_weight.h).
  virtual bool uses_sparse_kernel() const { return false; }

  // Feature-major activations, [blocks, features, examples of the block] (tensor/sparse_linear.h):
  // Sequential hands them from layer to layer without transposing through a run of layers of which
  // one prefers them (a Linear on CSR kernels) and the others pass them through (element-wise
  // activations).
  enum class FeatureMajor { no, passes, prefers };
  virtual FeatureMajor feature_major() const { return FeatureMajor::no; }
  virtual Variable forward_feature_major(const Variable& xt);  // throws unless feature_major() says it can
  // forward_feature_major, seen by summarize() as operator() is, with the shapes of the batch of N
  // along rows, as forward would have them.
  Variable call_feature_major(const Variable& xt, int64_t N);

  Named<Parameter*> named_parameters(bool recurse = true);
  Named<Tensor*> named_buffers(bool recurse = true);
  const Named<ModulePtr>& children() const { return children_; }
  // This module (named "") and every descendant, parents before children, as PyTorch's named_modules.
  Named<Module*> named_modules();
  Module& module(const std::string& dotted_name);        // "layer1.0.bn1"; throws listing what exists
  Parameter& parameter(const std::string& dotted_name);  // throws listing what exists
  int64_t parameter_count();

  void train(bool on = true);
  void eval() { train(false); }
  bool training() const { return training_; }

 protected:
  Parameter& register_parameter(std::string name, Tensor value, bool prunable);
  void register_buffer(std::string name, Tensor value);
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> child) {
    add_child(std::move(name), child);
    return child;
  }
  Tensor& buffer(const std::string& name);

 private:
  void add_child(std::string name, ModulePtr child);

  // unique_ptr keeps each Parameter at one address while the list grows.
  Named<std::unique_ptr<Parameter>> parameters_;
  Named<Tensor> buffers_;
  Named<ModulePtr> children_;
  bool training_ = true;
};

// What summarize() records while it runs a model: each module call with its shapes.
struct ModuleCall {
  Module* module;
  Shape input, output;
};
// While alive, every Module::operator() on this thread appends to `calls`.
class CallRecorder {
 public:
  explicit CallRecorder(std::vector<ModuleCall>& calls);
  ~CallRecorder();
  CallRecorder(const CallRecorder&) = delete;
  CallRecorder& operator=(const CallRecorder&) = delete;

 private:
  std::vector<ModuleCall>* previous_;
};

}  // namespace sprig::nn
