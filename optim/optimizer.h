#pragma once
// Optimisers step over a model's flat buffers (nn::ParameterSet): one loop over all parameters,
// their gradients and their state, which lives in flat buffers of the same layout. When the set has
// masks, a pruned entry's weight and every state value at that entry are held at exactly zero, and
// its gradient never reaches the state (momentum cannot revive a pruned weight).
//
// Two loops honour the masks. The masked loop walks the whole buffer and writes zeros at pruned
// entries; the live loop walks only ParameterSet::live_indices() and never touches a pruned entry,
// which set_mask and apply_masks left at zero. A step after a mask change first zeroes the state at
// newly pruned entries, so either loop may follow. Automatic: the live loop once fewer than
// kLiveStepBelow of the entries are live, where it is faster.
//
// The live loop keeps the state of the live entries compact, in list order, and gathers weights and
// gradients a block at a time from their scattered flat indices (the flat buffers stay the truth
// for them), so the same vectorised update as the masked loop's runs on contiguous memory. state()
// writes the compact state back into the flat buffers first, so checkpoints see it, and the next
// live step reads it in again (a caller may have written the buffers, as loading does).
#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "nn/parameter_set.h"

namespace sprig::optim {

extern const double kLiveStepBelow;

class Optimizer {
 public:
  enum class Path { automatic, masked, live };

  explicit Optimizer(nn::ParameterSet& parameters) : parameters_(parameters) {}
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  void step();  // one update from the gradients in parameters().gradients()
  // A term step() adds to the gradients before it updates, after backward: a regulariser outside
  // the loss, such as network slimming's L1 subgradient on BatchNorm scales (prune/slimming.h).
  using GradientTerm = std::function<void(nn::ParameterSet&)>;
  void add_gradient_term(GradientTerm term) { gradient_terms_.push_back(std::move(term)); }
  void zero_grad() { parameters_.zero_grad(); }

  double lr() const { return lr_; }
  void set_lr(double lr);
  int64_t steps() const { return steps_; }
  nn::ParameterSet& parameters() { return parameters_; }
  void set_path(Path path) { path_ = path; }  // tests and benchmarks force a loop
  bool last_step_live() const { return last_live_; }

  // Flat state buffers by name ("momentum", "exp_avg", ...), for checkpoints; same layout as the values.
  std::vector<std::pair<std::string, Tensor*>> state();
  void set_steps(int64_t steps) { steps_ = steps; }  // when restoring a checkpoint
  void reset_state();  // zero every state buffer and the step count (after rewinding weights)

 protected:
  virtual std::vector<std::pair<std::string, Tensor*>> flat_state() = 0;  // as state(), without the write-back
  // Updates entries [begin, end) of the flat buffers; `mask` is null when nothing is pruned.
  virtual void update(int64_t begin, int64_t end, const float* mask) = 0;
  // Updates entries [begin, end) of the live list, usually through for_live_blocks.
  virtual void update_live(int64_t begin, int64_t end) = 0;
  // Calls update(p, g, k, n) for blocks of the live entries [begin, end): p and g are the block's
  // weights and gradients gathered into contiguous scratch (p is scattered back after), k the
  // block's first position in the live list, n its length; the block's state in buffer b (in
  // flat_state() order) is live_state(b) + k.
  template <typename Update>
  void for_live_blocks(int64_t begin, int64_t end, Update&& update);
  float* live_state(size_t b) { return compact_[b].data(); }

  nn::ParameterSet& parameters_;
  double lr_ = 0.0;
  int64_t steps_ = 0;  // completed steps; update() sees the count including the current one

 private:
  bool use_live();
  template <typename Fn>
  void for_live_share(int64_t part, int64_t parts, Fn&& fn) const;
  void clear_pruned_state();
  void state_to_compact();  // flat state at the live entries -> compact_
  void state_to_flat();     // compact_ -> flat state, if compact_ holds it

  std::vector<GradientTerm> gradient_terms_;
  Path path_ = Path::automatic;
  bool last_live_ = false;
  uint64_t seen_mask_version_ = 0;
  std::vector<int64_t> live_;   // the live list compact_ follows (a copy: set_mask rebuilds the set's)
  std::vector<Tensor> compact_;  // per state buffer, [live_.size()]
  bool compact_holds_state_ = false;
};

template <typename Update>
void Optimizer::for_live_blocks(int64_t begin, int64_t end, Update&& update) {
  constexpr int64_t kBlock = 256;  // two blocks of scratch fit in L1 beside the compact state
  // Live entries of a pruned weight sit in separate cache lines that the hardware cannot predict:
  // asking for them this many entries ahead overlaps the waits (13k live entries, one thread:
  // 0.046 -> 0.033 ms).
  constexpr int64_t kPrefetch = 32;
  alignas(64) float p[kBlock], g[kBlock];
  float* values = parameters_.values().data();
  const float* grads = parameters_.gradients().data();
  auto prefetch = [&](int64_t flat) { __builtin_prefetch(values + flat, 1), __builtin_prefetch(grads + flat); };
  for (int64_t k = begin; k < end; k += kBlock) {
    const int64_t n = std::min(kBlock, end - k);
    const int64_t* index = live_.data() + k;
    const int64_t ahead = std::min(kPrefetch, end - k - n);  // the next block's first entries
    for (int64_t j = 0; j < ahead; ++j) prefetch(index[n + j]);
    for (int64_t j = 0; j < n; ++j) {
      if (j + kPrefetch < n) prefetch(index[j + kPrefetch]);
      p[j] = values[index[j]], g[j] = grads[index[j]];
    }
    update(p, g, k, n);
    for (int64_t j = 0; j < n; ++j) values[index[j]] = p[j];
  }
}

}  // namespace sprig::optim
