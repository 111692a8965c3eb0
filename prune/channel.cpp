#include "prune/channel.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>

#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/residual.h"

namespace sprig::prune {

namespace {

bool has_residual_blocks(nn::Module& model) {
  for (auto& [name, module] : model.named_modules())
    if (dynamic_cast<nn::BasicBlock*>(module)) return true;
  return false;
}

// Every block's inner channels; the residual stream stays whole.
std::vector<ChannelGroup> block_groups(nn::Module& model) {
  std::vector<ChannelGroup> groups;
  for (auto& [name, module] : model.named_modules())
    if (auto* block = dynamic_cast<nn::BasicBlock*>(module))
      groups.push_back({name + ".conv1", name + ".bn1", name + ".conv2", block->options().mid()});
  return groups;
}

// A chain: each convolution's channels are read by the next convolution or the first Linear.
std::vector<ChannelGroup> chain_groups(nn::Module& model) {
  std::vector<ChannelGroup> groups;
  const auto open = [&] { return !groups.empty() && groups.back().consumer.empty(); };
  for (auto& [name, module] : model.named_modules()) {
    if (auto* conv = dynamic_cast<nn::Conv2d*>(module)) {
      if (open()) {
        SPRIG_CHECK(conv->options().in_channels == groups.back().channels, "channel_groups: ", name, " reads ",
                    conv->options().in_channels, " channels but ", groups.back().conv, " makes ", groups.back().channels);
        groups.back().consumer = name;
      }
      groups.push_back({name, "", "", conv->options().out_channels});
    } else if (auto* norm = dynamic_cast<nn::BatchNorm2d*>(module)) {
      if (open() && groups.back().norm.empty() && norm->options().num_features == groups.back().channels)
        groups.back().norm = name;
    } else if (auto* linear = dynamic_cast<nn::Linear*>(module)) {
      if (!open()) continue;
      ChannelGroup& last = groups.back();
      const int64_t in = linear->options().in_features;
      SPRIG_CHECK(in % last.channels == 0, "channel_groups: ", name, " has ", in, " inputs, not a multiple of the ",
                  last.channels, " channels of ", last.conv);
      last.consumer = name;
      last.features_per_channel = in / last.channels;
    }
  }
  return groups;
}

std::vector<int64_t> by_feature(const std::vector<int64_t>& channels, int64_t per_channel) {
  std::vector<int64_t> features;
  for (int64_t c : channels)
    for (int64_t f = 0; f < per_channel; ++f) features.push_back(c * per_channel + f);
  return features;
}

// dst[i, j, r] = src[rows[i], cols[j], r] with src viewed as [A, B, R]; an empty list takes every index.
// Tensors of rank 1 have B = 1.
void gather(const std::string& name, const Tensor& src, const std::vector<int64_t>& rows,
            const std::vector<int64_t>& cols, Tensor& dst) {
  const int64_t A = src.size(0), B = src.dim() >= 2 ? src.size(1) : 1, R = src.numel() / std::max<int64_t>(A * B, 1);
  const int64_t a = rows.empty() ? A : int64_t(rows.size()), b = cols.empty() ? B : int64_t(cols.size());
  SPRIG_CHECK(dst.numel() == a * b * R && dst.size(0) == a, "prune_channels: ", name, " is ", dst.shape(),
              " in the pruned model but ", src.shape(), " with ", a, " of ", A, " rows and ", b, " of ", B,
              " columns kept in the original: the options do not describe the model");
  const float* s = src.data();
  float* d = dst.data();
  for (int64_t i = 0; i < a; ++i) {
    const int64_t si = rows.empty() ? i : rows[i];
    for (int64_t j = 0; j < b; ++j) {
      const int64_t sj = cols.empty() ? j : cols[j];
      std::copy_n(s + (si * B + sj) * R, R, d + (i * b + j) * R);
    }
  }
}

std::string module_of(const std::string& dotted) { return dotted.substr(0, dotted.rfind('.')); }
std::string leaf_of(const std::string& dotted) { return dotted.substr(dotted.rfind('.') + 1); }

}  // namespace

std::vector<ChannelGroup> channel_groups(nn::Module& model) {
  std::vector<ChannelGroup> groups = has_residual_blocks(model) ? block_groups(model) : chain_groups(model);
  SPRIG_CHECK(!groups.empty(), "channel_groups: the model has no convolution whose channels can be pruned");
  for (const ChannelGroup& g : groups)
    SPRIG_CHECK(!g.consumer.empty(), "channel_groups: nothing this understands reads the channels of ", g.conv);
  return groups;
}

std::vector<std::vector<float>> channel_scores(nn::Module& model, const std::vector<ChannelGroup>& groups) {
  std::vector<std::vector<float>> scores;
  for (const ChannelGroup& g : groups) {
    std::vector<float> s(size_t(g.channels), 0.0f);
    if (!g.norm.empty()) {
      const float* gamma = model.parameter(g.norm + ".weight").value().data();
      for (int64_t c = 0; c < g.channels; ++c) s[c] = std::fabs(gamma[c]);
    } else {
      const Tensor& filters = model.parameter(g.conv + ".weight").value();
      const int64_t per_filter = filters.numel() / g.channels;
      for (int64_t c = 0; c < g.channels; ++c)
        for (int64_t k = 0; k < per_filter; ++k) s[c] += std::fabs(filters.data()[c * per_filter + k]);
    }
    scores.push_back(std::move(s));
  }
  return scores;
}

void check_options(const ChannelSelectionOptions& o) {
  SPRIG_CHECK(o.ratio >= 0.0 && o.ratio < 1.0, "channel pruning: ratio must be in [0, 1), got ", o.ratio);
  SPRIG_CHECK(o.scope == "global" || o.scope == "layerwise", "channel pruning: scope must be global or layerwise, got '",
              o.scope, "'");
  SPRIG_CHECK(o.min_channels >= 1, "channel pruning: min_channels must be at least 1, got ", o.min_channels);
}

int64_t ChannelSelection::kept_count() const {
  int64_t n = 0;
  for (const auto& k : kept) n += int64_t(k.size());
  return n;
}

std::vector<int64_t> ChannelSelection::kept_sizes() const {
  std::vector<int64_t> sizes;
  for (const auto& k : kept) sizes.push_back(int64_t(k.size()));
  return sizes;
}

std::vector<uint8_t> ChannelSelection::flat_mask(const std::vector<ChannelGroup>& groups) const {
  SPRIG_CHECK(groups.size() == kept.size(), "ChannelSelection: ", kept.size(), " groups selected, ", groups.size(), " given");
  std::vector<uint8_t> mask;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<uint8_t> m(size_t(groups[g].channels), 0);
    for (int64_t c : kept[g]) m[size_t(c)] = 1;
    mask.insert(mask.end(), m.begin(), m.end());
  }
  return mask;
}

ChannelSelection select_channels(const std::vector<std::vector<float>>& scores, const ChannelSelectionOptions& o) {
  check_options(o);
  // (score, group, channel), ascending: the front is removed first.
  using Entry = std::tuple<float, size_t, int64_t>;
  std::vector<std::vector<uint8_t>> removed(scores.size());
  ChannelSelection selection;
  const auto remove_lowest = [&](std::vector<Entry> entries, int64_t count) {
    std::sort(entries.begin(), entries.end());
    for (int64_t i = 0; i < count; ++i) {
      const auto& [score, g, c] = entries[size_t(i)];
      removed[g][size_t(c)] = 1;
      selection.threshold = std::max(selection.threshold, double(score));
    }
  };
  std::vector<Entry> all;
  for (size_t g = 0; g < scores.size(); ++g) {
    removed[g].assign(scores[g].size(), 0);
    std::vector<Entry> group;
    for (size_t c = 0; c < scores[g].size(); ++c) group.emplace_back(scores[g][c], g, int64_t(c));
    if (o.scope == "layerwise") remove_lowest(group, std::llround(o.ratio * double(group.size())));
    all.insert(all.end(), group.begin(), group.end());
  }
  if (o.scope == "global") remove_lowest(all, std::llround(o.ratio * double(all.size())));

  for (size_t g = 0; g < scores.size(); ++g) {
    const int64_t floor = std::min<int64_t>(o.min_channels, int64_t(scores[g].size()));
    std::vector<int64_t> order(scores[g].size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return scores[g][a] > scores[g][b]; });
    for (int64_t i = 0; i < floor; ++i) removed[g][size_t(order[i])] = 0;  // the best `floor` always stay
    std::vector<int64_t> kept;
    for (size_t c = 0; c < scores[g].size(); ++c)
      if (!removed[g][c]) kept.push_back(int64_t(c));
    selection.kept.push_back(std::move(kept));
  }
  return selection;
}

void silence_channels(nn::Module& model, const std::vector<ChannelGroup>& groups, const ChannelSelection& selection) {
  const std::vector<uint8_t> mask = selection.flat_mask(groups);
  size_t offset = 0;
  for (const ChannelGroup& g : groups) {
    const auto zero_channel_rows = [&](const std::string& name) {
      Tensor& t = model.parameter(name).value();
      const int64_t per_channel = t.numel() / g.channels;
      for (int64_t c = 0; c < g.channels; ++c)
        if (!mask[offset + size_t(c)]) std::fill_n(t.data() + c * per_channel, per_channel, 0.0f);
    };
    const std::string owner = g.norm.empty() ? g.conv : g.norm;  // BatchNorm: gamma and beta; else filter and bias
    for (auto& [name, parameter] : model.module(owner).named_parameters()) zero_channel_rows(owner + "." + name);
    offset += size_t(g.channels);
  }
}

PrunedModel prune_channels(nn::Module& model, const nn::ModelOptions& options, const std::vector<ChannelGroup>& groups,
                           const ChannelSelection& selection) {
  SPRIG_CHECK(selection.kept.size() == groups.size(), "prune_channels: a selection of ", selection.kept.size(),
              " groups for a model with ", groups.size());
  std::map<std::string, std::vector<int64_t>> rows, cols;  // by module: kept output rows, kept input columns
  for (size_t g = 0; g < groups.size(); ++g) {
    rows[groups[g].conv] = selection.kept[g];
    if (!groups[g].norm.empty()) rows[groups[g].norm] = selection.kept[g];
    cols[groups[g].consumer] = by_feature(selection.kept[g], groups[g].features_per_channel);
  }
  const auto indices = [](const std::map<std::string, std::vector<int64_t>>& by_module, const std::string& module) {
    const auto it = by_module.find(module);
    return it == by_module.end() ? std::vector<int64_t>{} : it->second;
  };

  PrunedModel pruned{nullptr, options};
  pruned.options.channels = selection.kept_sizes();
  Generator unused(0);  // every weight is overwritten below
  pruned.model = nn::make_model(pruned.options, unused);
  for (auto& [name, parameter] : pruned.model->named_parameters()) {
    const std::string module = module_of(name);
    const bool weight = leaf_of(name) == "weight" && parameter->value().dim() >= 2;  // inputs index axis 1
    gather(name, model.parameter(name).value(), indices(rows, module), weight ? indices(cols, module) : std::vector<int64_t>{},
           parameter->value());
  }
  std::map<std::string, Tensor*> original_buffers;
  for (auto& [name, buffer] : model.named_buffers()) original_buffers[name] = buffer;
  for (auto& [name, buffer] : pruned.model->named_buffers()) {
    const auto it = original_buffers.find(name);
    SPRIG_CHECK(it != original_buffers.end(), "prune_channels: the original model has no buffer ", name);
    gather(name, *it->second, indices(rows, module_of(name)), {}, *buffer);
  }
  pruned.model->train(model.training());
  return pruned;
}

}  // namespace sprig::prune
