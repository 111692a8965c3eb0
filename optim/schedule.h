#pragma once
// Learning-rate schedules as pure functions of the step: nothing to save in a checkpoint but the
// step count, and resuming gives the same rates.
#include <string>
#include <vector>

namespace sprig::optim {

struct ScheduleOptions {
  std::string kind = "constant";       // constant, multistep, cosine
  std::vector<int64_t> milestones;     // multistep: steps at which the rate is multiplied by gamma
  double gamma = 0.1;                  // multistep factor
  int64_t total_steps = 0;             // cosine: steps to anneal over (0: taken from the run's length)
  double min_lr = 0.0;                 // cosine floor
  int64_t warmup_steps = 0;            // linear warm-up from 0 before any kind

  template <typename V>
  void visit(V& v) {
    v("kind", kind, "constant, multistep or cosine");
    v("milestones", milestones, "multistep: steps where the rate is multiplied by gamma");
    v("gamma", gamma, "multistep factor");
    v("total_steps", total_steps, "cosine: steps to anneal over (0: the whole run)");
    v("min_lr", min_lr, "cosine: final learning rate");
    v("warmup_steps", warmup_steps, "linear warm-up steps before the schedule");
  }
};

class Schedule {
 public:
  Schedule(const ScheduleOptions& options, double base_lr);
  double lr_at(int64_t step) const;  // rate for the step about to run (0-based)

 private:
  ScheduleOptions options_;
  double base_lr_;
};

}  // namespace sprig::optim
