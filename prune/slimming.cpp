#include "prune/slimming.h"

#include <algorithm>

namespace sprig::prune {

optim::Optimizer::GradientTerm scale_l1_penalty(const nn::ParameterSet& parameters,
                                                const std::vector<ChannelGroup>& groups, double lambda) {
  SPRIG_CHECK(lambda >= 0.0, "sparsity penalty: lambda must be >= 0, got ", lambda);
  std::vector<nn::ParameterSet::Slot> scales;
  for (const ChannelGroup& g : groups)
    if (!g.norm.empty()) scales.push_back(parameters.slot(g.norm + ".weight"));
  SPRIG_CHECK(!scales.empty(), "sparsity penalty: the model has no BatchNorm whose scales it could penalise");
  const float step = float(lambda);
  return [scales, step](nn::ParameterSet& set) {
    const float* gamma = set.values().data();
    float* grad = set.gradients().data();
    for (const auto& s : scales)
      for (int64_t i = s.offset; i < s.offset + s.numel; ++i)
        grad[i] += gamma[i] > 0.0f ? step : gamma[i] < 0.0f ? -step : 0.0f;  // subgradient 0 at 0
  };
}

double mask_distance(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  SPRIG_CHECK(a.size() == b.size() && !a.empty(), "mask_distance: masks of ", a.size(), " and ", b.size(),
              " entries; expected equal, non-zero lengths");
  int64_t differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i];
  return double(differ) / double(a.size());
}

EarlyBird::EarlyBird(double epsilon, int64_t patience) : epsilon_(epsilon), patience_(patience) {
  SPRIG_CHECK(epsilon > 0.0 && epsilon < 1.0, "Early-Bird: epsilon must be in (0, 1), got ", epsilon);
  SPRIG_CHECK(patience >= 1, "Early-Bird: patience must be at least 1, got ", patience);
}

bool EarlyBird::add(std::vector<uint8_t> mask) {
  if (!masks_.empty()) {
    recent_.push_back(mask_distance(masks_.back(), mask));
    if (int64_t(recent_.size()) > patience_) recent_.pop_front();
  }
  masks_.push_back(std::move(mask));
  if (!drawn() && int64_t(recent_.size()) == patience_ &&
      std::all_of(recent_.begin(), recent_.end(), [&](double d) { return d < epsilon_; }))
    drawn_at_ = int64_t(masks_.size()) - 1;
  return drawn();
}

std::vector<std::vector<double>> EarlyBird::distances() const {
  std::vector<std::vector<double>> d(masks_.size(), std::vector<double>(masks_.size(), 0.0));
  for (size_t i = 0; i < masks_.size(); ++i)
    for (size_t j = 0; j < i; ++j) d[i][j] = d[j][i] = mask_distance(masks_[i], masks_[j]);
  return d;
}

}  // namespace sprig::prune
