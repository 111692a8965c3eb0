#include "optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tensor/error.h"

namespace sprig::optim {

Schedule::Schedule(const ScheduleOptions& options, double base_lr) : options_(options), base_lr_(base_lr) {
  const auto& o = options_;
  SPRIG_CHECK(o.kind == "constant" || o.kind == "multistep" || o.kind == "cosine", "Schedule: unknown kind '", o.kind,
              "' (known: constant, multistep, cosine)");
  SPRIG_CHECK(std::is_sorted(o.milestones.begin(), o.milestones.end()), "Schedule: milestones must be increasing");
  SPRIG_CHECK(o.gamma > 0 && o.warmup_steps >= 0 && o.total_steps >= 0 && o.min_lr >= 0,
              "Schedule: gamma must be > 0 and steps and min_lr >= 0");
  SPRIG_CHECK(o.kind != "cosine" || o.total_steps > o.warmup_steps, "Schedule: cosine needs total_steps (",
              o.total_steps, ") > warmup_steps (", o.warmup_steps, ")");
}

double Schedule::lr_at(int64_t step) const {
  const auto& o = options_;
  if (step < o.warmup_steps) return base_lr_ * double(step + 1) / double(o.warmup_steps);
  const int64_t t = step - o.warmup_steps;
  if (o.kind == "multistep") {
    const auto passed = std::upper_bound(o.milestones.begin(), o.milestones.end(), step) - o.milestones.begin();
    return base_lr_ * std::pow(o.gamma, double(passed));
  }
  if (o.kind == "cosine") {
    const double progress = std::min(1.0, double(t) / double(o.total_steps - o.warmup_steps));
    return o.min_lr + (base_lr_ - o.min_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
  }
  return base_lr_;
}

}  // namespace sprig::optim
