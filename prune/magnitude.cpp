#include "prune/magnitude.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tensor/top_k.h"

namespace sprig::prune {

void check_options(const PruningOptions& o) {
  SPRIG_CHECK(o.rate >= 0 && o.rate < 1, "pruning: rate must be in [0, 1) but is ", o.rate);
  SPRIG_CHECK(o.output_rate < 1, "pruning: output_rate must be below 1 but is ", o.output_rate);
  SPRIG_CHECK(o.conv_rate < 1, "pruning: conv_rate must be below 1 but is ", o.conv_rate);
  SPRIG_CHECK(o.scope == "layerwise" || o.scope == "global", "pruning: scope must be layerwise or global, not '",
              o.scope, "'");
}

namespace {

// The parameter's mask, or all ones while it has none.
Tensor current_mask(const nn::ParameterSet::Slot& slot) {
  const nn::Parameter& p = *slot.parameter;
  return p.mask.defined() ? p.mask : Tensor::full(p.value().shape(), 1.0f);
}

int64_t live(const Tensor& mask) {
  const float* m = mask.data();
  int64_t count = 0;
  for (int64_t i = 0; i < mask.numel(); ++i) count += m[i] != 0.0f;
  return count;
}

// Pruning removes round(rate x live) weights, so keep = live - that.
int64_t kept_after(int64_t alive, double rate) { return alive - std::llround(rate * double(alive)); }

}  // namespace

std::map<std::string, double> pruning_rates(const nn::ParameterSet& parameters, const PruningOptions& options) {
  check_options(options);
  for (const std::string& name : options.ignore) parameters.slot(name);  // throws, listing names, on a typo
  std::vector<std::string> pruned;
  for (const auto& slot : parameters.slots())
    if (slot.parameter->prunable && std::find(options.ignore.begin(), options.ignore.end(), slot.name) == options.ignore.end())
      pruned.push_back(slot.name);
  std::map<std::string, double> rates;
  for (const std::string& name : pruned) {
    const bool conv = parameters.slot(name).parameter->value().dim() == 4;
    rates[name] = conv && options.conv_rate >= 0 ? options.conv_rate : options.rate;
  }
  if (!pruned.empty() && options.output_rate >= 0) rates[pruned.back()] = options.output_rate;
  return rates;
}

Tensor keep_largest(const Tensor& values, const Tensor& mask, int64_t keep) {
  SPRIG_CHECK(values.shape() == mask.shape(), "keep_largest: values ", values.shape(), " but mask ", mask.shape());
  const float* v = values.data();
  const float* m = mask.data();
  std::vector<int64_t> alive;
  for (int64_t i = 0; i < values.numel(); ++i)
    if (m[i] != 0.0f) alive.push_back(i);
  SPRIG_CHECK(keep >= 0 && keep <= int64_t(alive.size()), "keep_largest: cannot keep ", keep, " of ", alive.size(),
              " live entries");
  Tensor result = Tensor::zeros(values.shape());
  mark_largest_abs(v, alive.data(), int64_t(alive.size()), keep, result.data());
  return result;
}

std::map<std::string, Tensor> magnitude_masks(const nn::ParameterSet& parameters, const PruningOptions& options) {
  const std::map<std::string, double> rates = pruning_rates(parameters, options);
  std::map<std::string, Tensor> masks;
  if (options.scope == "layerwise") {
    for (const auto& [name, rate] : rates) {
      const auto& slot = parameters.slot(name);
      const Tensor mask = current_mask(slot);
      masks[name] = keep_largest(slot.parameter->value(), mask, kept_after(live(mask), rate));
    }
    return masks;
  }
  // Global: rank every chosen weight together by concatenating them (and their masks) into one vector.
  int64_t total = 0;
  for (const auto& entry : rates) total += parameters.slot(entry.first).numel;
  Tensor all_values = Tensor::empty({total}), all_masks = Tensor::empty({total});
  int64_t offset = 0;
  for (const auto& entry : rates) {
    const auto& slot = parameters.slot(entry.first);
    std::copy_n(slot.parameter->value().data(), slot.numel, all_values.data() + offset);
    std::copy_n(current_mask(slot).data(), slot.numel, all_masks.data() + offset);
    offset += slot.numel;
  }
  const Tensor kept = keep_largest(all_values, all_masks, kept_after(live(all_masks), options.rate));
  offset = 0;
  for (const auto& entry : rates) {
    const auto& slot = parameters.slot(entry.first);
    Tensor mask = Tensor::empty(slot.parameter->value().shape());
    std::copy_n(kept.data() + offset, slot.numel, mask.data());
    masks[entry.first] = mask;
    offset += slot.numel;
  }
  return masks;
}

std::map<std::string, Tensor> random_masks_like(const std::map<std::string, Tensor>& reference, Generator& gen) {
  std::map<std::string, Tensor> masks;
  for (const auto& [name, mask] : reference) {
    // A partial Fisher-Yates shuffle picks which positions stay alive.
    std::vector<int64_t> positions(size_t(mask.numel()));
    std::iota(positions.begin(), positions.end(), int64_t{0});
    const int64_t keep = live(mask);
    for (int64_t i = 0; i < keep; ++i) {
      const int64_t j = i + gen.integer(mask.numel() - i);
      std::swap(positions[size_t(i)], positions[size_t(j)]);
    }
    Tensor random = Tensor::zeros(mask.shape());
    for (int64_t i = 0; i < keep; ++i) random.data()[positions[size_t(i)]] = 1.0f;
    masks[name] = random;
  }
  return masks;
}

void apply(nn::ParameterSet& parameters, const std::map<std::string, Tensor>& masks) {
  for (const auto& [name, mask] : masks) parameters.set_mask(name, mask);
}

}  // namespace sprig::prune
