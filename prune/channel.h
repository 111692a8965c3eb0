#pragma once
// Channel pruning: which output channels of a model can go, how they are ranked, which survive,
// and the surgery that builds the physically smaller model (Liu et al. 2017, network slimming;
// Li et al. 2017 rank filters by L1 norm where there is no BatchNorm).
//
// A channel group is a convolution's output channels together with everything that is indexed by
// them: its BatchNorm and the input channels of the one module that reads them (the next
// convolution, or the first Linear layer after flattening or global pooling). Chains of
// convolutions (conv2/4/6, vgg*) have one group per convolution. In a ResNet the channels of the
// residual stream are shared by every block's shortcut, so only a block's inner channels (conv1,
// bn1, read by conv2) form groups, as the slimming and rethinking papers prune them.
#include <cstdint>
#include <string>
#include <vector>

#include "nn/module.h"
#include "nn/zoo.h"

namespace sprig::prune {

struct ChannelGroup {
  std::string conv;      // the Conv2d producing the channels, e.g. "features.0", "layer1.0.conv1"
  std::string norm;      // its BatchNorm, or "" (then filters are ranked by their L1 norm)
  std::string consumer;  // the Conv2d or Linear reading the channels
  int64_t channels = 0;
  int64_t features_per_channel = 1;  // Linear consumer: inputs per channel (H*W after flattening)
};

// The groups of `model`, in forward order. Throws if the model has none or a layout this does not know.
std::vector<ChannelGroup> channel_groups(nn::Module& model);

// Per group, a score per channel: |gamma| of its BatchNorm, or the L1 norm of each filter without one.
std::vector<std::vector<float>> channel_scores(nn::Module& model, const std::vector<ChannelGroup>& groups);

struct ChannelSelectionOptions {
  double ratio = 0.5;            // share of the channels to remove, in [0, 1)
  std::string scope = "global";  // global: one threshold over every group; layerwise: the ratio in each
  int64_t min_channels = 1;      // no group keeps fewer (its best-scored ones), so none is ever emptied

  template <class V>
  void visit(V& v) {
    v("ratio", ratio, "share of the channels to remove");
    v("scope", scope, "global (one threshold over all layers) or layerwise (the ratio in each layer)");
    v("min_channels", min_channels, "channels every layer keeps at least");
  }
};
void check_options(const ChannelSelectionOptions& options);

struct ChannelSelection {
  std::vector<std::vector<int64_t>> kept;  // per group, the surviving channels, ascending
  double threshold = 0.0;                  // the largest score the ratio removed (0 if none); the per-layer
                                           // minimum may have put back channels at or under it

  int64_t kept_count() const;
  std::vector<int64_t> kept_sizes() const;
  // One 0/1 entry per channel of every group, in group order: what Early-Bird compares between epochs.
  std::vector<uint8_t> flat_mask(const std::vector<ChannelGroup>& groups) const;
};

// Removes the lowest-scored channels; ties go by group, then channel index, so it is deterministic.
ChannelSelection select_channels(const std::vector<std::vector<float>>& scores, const ChannelSelectionOptions& options);

// Zeroes what the removed channels contribute, in place: gamma and beta of the BatchNorm, or the
// filter and its bias. The model then computes what the pruned model computes.
void silence_channels(nn::Module& model, const std::vector<ChannelGroup>& groups, const ChannelSelection& selection);

struct PrunedModel {
  nn::ModulePtr model;
  nn::ModelOptions options;  // `channels` lists the surviving widths: rebuilds the architecture
};

// Builds the smaller model `options` describes with the selection's channels only, copying the
// surviving weights and BatchNorm statistics from `model` (which `options` must describe).
PrunedModel prune_channels(nn::Module& model, const nn::ModelOptions& options, const std::vector<ChannelGroup>& groups,
                           const ChannelSelection& selection);

}  // namespace sprig::prune
