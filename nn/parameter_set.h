#pragma once
// A model's parameters packed into flat buffers (llm.c's single allocation): values, gradients and,
// once pruning starts, masks. Each parameter's tensors become views at its offset, so layers see
// their usual shapes while optimisers run one loop over everything and an all-reduce can take the
// gradient buffer whole.
#include <string>
#include <vector>

#include "nn/module.h"

namespace sprig::nn {

class ParameterSet {
 public:
  struct Slot {
    std::string name;      // dotted, as in Module::named_parameters
    Parameter* parameter;  // owned by the model, which must outlive this set
    int64_t offset;        // into the flat buffers
    int64_t numel;
  };

  // Moves every parameter of `model` into the flat buffers (values keep their contents).
  explicit ParameterSet(Module& model);

  const std::vector<Slot>& slots() const { return slots_; }
  const Slot& slot(const std::string& name) const;
  int64_t size() const { return values_.numel(); }

  Tensor& values() { return values_; }
  // The flat gradient buffer, every deferred zeroing (zero_grad) carried out first.
  Tensor& gradients();
  void settle_gradients();  // carries out the deferred zeroings (before threads share the buffer)
  // Zeroes the gradients, deferred (Variable::defer_zero_grad): the buffer is cleared by the first
  // access, or overwritten by a CSR layer, which writes every kept entry of its weight's gradient
  // and relies on the pruned ones staying zero (set_mask zeroes them; the dense kernels write
  // gradient * mask there).
  void zero_grad();

  // Masks: 1 keeps a weight, 0 prunes it. The flat mask buffer exists once any mask was set;
  // parameters never masked keep ones there. Change masks only through set_mask (it keeps the
  // versions and the live list current); after writing values directly call apply_masks.
  bool has_masks() const { return masks_.defined(); }
  const Tensor& masks() const { return masks_; }
  // Copies a 0/1 mask (the parameter's shape) in and zeroes the pruned values and gradients.
  void set_mask(const std::string& name, const Tensor& mask);
  void apply_masks();  // values *= masks: after loading weights or rewinding
  uint64_t mask_version() const { return mask_version_; }  // changes with every set_mask

  int64_t live_count(const Slot& slot) const;  // unpruned entries
  double density(const Slot& slot) const;

  // Flat indices of every unpruned entry, ascending (all entries of unmasked parameters), rebuilt
  // after a set_mask: what sparse optimiser steps walk instead of the whole buffer.
  const std::vector<int64_t>& live_indices();
  double live_fraction();  // live_indices().size() / size()

 private:
  std::vector<Slot> slots_;
  Tensor values_, gradients_, masks_;
  uint64_t mask_version_ = 0;
  std::vector<int64_t> live_;
  uint64_t live_version_ = ~uint64_t{0};  // the mask version live_ was built for; none yet
};

}  // namespace sprig::nn
