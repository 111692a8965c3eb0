#pragma once
// The training-time halves of channel pruning:
// - network slimming's sparsity term lambda * sum |gamma| over BatchNorm scales (Liu et al. 2017), as
//   an optimiser gradient term (optim/optimizer.h) that adds its subgradient lambda * sign(gamma);
// - Early-Bird detection (You et al. 2020): draw the channel mask every epoch and stop once the
//   normalised Hamming distances between consecutive masks stayed under epsilon for `patience` epochs.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "nn/parameter_set.h"
#include "optim/optimizer.h"
#include "prune/channel.h"

namespace sprig::prune {

// The gradient term for the scales ("<norm>.weight") of the groups' BatchNorms. Throws if lambda is
// negative or no group has a BatchNorm (the penalty would do nothing).
optim::Optimizer::GradientTerm scale_l1_penalty(const nn::ParameterSet& parameters,
                                                const std::vector<ChannelGroup>& groups, double lambda);

// Share of positions where two equally long 0/1 masks differ.
double mask_distance(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b);

class EarlyBird {
 public:
  explicit EarlyBird(double epsilon = 0.1, int64_t patience = 5);
  // Records the mask drawn after an epoch; true from the epoch on which the ticket is drawn.
  bool add(std::vector<uint8_t> mask);
  bool drawn() const { return drawn_at_ >= 0; }
  int64_t drawn_at() const { return drawn_at_; }  // index of the mask drawn, -1 before
  const std::vector<std::vector<uint8_t>>& masks() const { return masks_; }
  // distances()[i][j]: between the masks of epochs i and j, for the plot.
  std::vector<std::vector<double>> distances() const;

 private:
  double epsilon_;
  int64_t patience_;
  std::vector<std::vector<uint8_t>> masks_;
  std::deque<double> recent_;  // the last `patience` consecutive distances
  int64_t drawn_at_ = -1;
};

}  // namespace sprig::prune
