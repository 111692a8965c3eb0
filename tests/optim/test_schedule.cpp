// Learning-rate schedules at known steps (the torch comparison is in test_optim_golden.cpp).
#include <doctest/doctest.h>

#include "optim/schedule.h"
#include "tensor/error.h"

using namespace sprig;
using optim::Schedule;
using optim::ScheduleOptions;

namespace {
ScheduleOptions cosine(int64_t total_steps, double min_lr, int64_t warmup_steps = 0) {
  ScheduleOptions o;
  o.kind = "cosine";
  o.total_steps = total_steps;
  o.min_lr = min_lr;
  o.warmup_steps = warmup_steps;
  return o;
}
ScheduleOptions multistep(std::vector<int64_t> milestones, double gamma, int64_t warmup_steps = 0) {
  ScheduleOptions o;
  o.kind = "multistep";
  o.milestones = std::move(milestones);
  o.gamma = gamma;
  o.warmup_steps = warmup_steps;
  return o;
}
}  // namespace

// Guards against the default schedule changing the rate.
TEST_CASE("schedule: constant keeps the base rate") {
  const Schedule s({}, 0.3);
  for (int64_t step : {0, 1, 10, 1000000}) CHECK(s.lr_at(step) == 0.3);
}

// Guards against off-by-one milestones: the rate drops on the milestone step itself, as MultiStepLR.
TEST_CASE("schedule: multistep multiplies by gamma at each milestone") {
  const Schedule s(multistep({3, 6}, 0.5), 0.1);
  const double expected[] = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025};
  for (int64_t step = 0; step < 8; ++step) CHECK(s.lr_at(step) == doctest::Approx(expected[step]).epsilon(1e-15));
  CHECK(s.lr_at(1000) == doctest::Approx(0.025).epsilon(1e-15));
}

// Guards against a repeated milestone counting once (torch applies gamma once per listing).
TEST_CASE("schedule: a repeated milestone applies gamma twice") {
  const Schedule s(multistep({2, 2}, 0.1), 1.0);
  CHECK(s.lr_at(1) == 1.0);
  CHECK(s.lr_at(2) == doctest::Approx(0.01).epsilon(1e-15));
}

// Guards against the cosine's shape: base at the start, the midpoint halfway, the floor at the end and
// after it (no restart).
TEST_CASE("schedule: cosine anneals from the base rate to min_lr and stays there") {
  const Schedule s(cosine(10, 0.01), 0.1);
  CHECK(s.lr_at(0) == doctest::Approx(0.1).epsilon(1e-15));
  CHECK(s.lr_at(5) == doctest::Approx(0.055).epsilon(1e-15));
  CHECK(s.lr_at(10) == doctest::Approx(0.01).epsilon(1e-15));
  CHECK(s.lr_at(25) == doctest::Approx(0.01).epsilon(1e-15));
  for (int64_t step = 1; step <= 10; ++step) CHECK(s.lr_at(step) < s.lr_at(step - 1));
}

// Guards against a warm-up that starts at 0 (a wasted step) or ends below the base rate.
TEST_CASE("schedule: linear warm-up reaches the base rate on its last step") {
  const Schedule s(cosine(14, 0.0, 4), 0.1);
  const double ramp[] = {0.025, 0.05, 0.075, 0.1};
  for (int64_t step = 0; step < 4; ++step) CHECK(s.lr_at(step) == doctest::Approx(ramp[step]).epsilon(1e-15));
  // The cosine then spans the remaining 10 steps.
  CHECK(s.lr_at(4) == doctest::Approx(0.1).epsilon(1e-15));
  CHECK(s.lr_at(9) == doctest::Approx(0.05).epsilon(1e-15));
  CHECK(s.lr_at(14) == doctest::Approx(0.0));

  ScheduleOptions warm_constant;
  warm_constant.warmup_steps = 2;
  const Schedule constant(warm_constant, 0.4);
  CHECK(constant.lr_at(0) == doctest::Approx(0.2).epsilon(1e-15));
  CHECK(constant.lr_at(1) == doctest::Approx(0.4).epsilon(1e-15));
  CHECK(constant.lr_at(2) == doctest::Approx(0.4).epsilon(1e-15));
}

// Guards against milestones shifting with the warm-up: they count steps from the start of the run.
TEST_CASE("schedule: multistep milestones count from step 0, warm-up included") {
  const Schedule s(multistep({5}, 0.1, 2), 1.0);
  CHECK(s.lr_at(0) == doctest::Approx(0.5).epsilon(1e-15));
  CHECK(s.lr_at(2) == 1.0);
  CHECK(s.lr_at(4) == 1.0);
  CHECK(s.lr_at(5) == doctest::Approx(0.1).epsilon(1e-15));
}

// Guards against silently accepting options that cannot make a sensible schedule.
TEST_CASE("schedule: bad options throw") {
  ScheduleOptions unknown;
  unknown.kind = "linear";
  CHECK_THROWS_AS(Schedule(unknown, 0.1), Error);
  CHECK_THROWS_AS(Schedule(multistep({5, 3}, 0.1), 0.1), Error);     // milestones out of order
  CHECK_THROWS_AS(Schedule(multistep({5}, 0.0), 0.1), Error);        // gamma must be > 0
  CHECK_THROWS_AS(Schedule(multistep({5}, -0.5), 0.1), Error);
  CHECK_THROWS_AS(Schedule(multistep({5}, 0.1, -1), 0.1), Error);    // negative warm-up
  CHECK_THROWS_AS(Schedule(cosine(0, 0.0), 0.1), Error);             // cosine needs a length
  CHECK_THROWS_AS(Schedule(cosine(-5, 0.0), 0.1), Error);
  CHECK_THROWS_AS(Schedule(cosine(10, -0.01), 0.1), Error);          // negative floor
  CHECK_THROWS_AS(Schedule(cosine(10, 0.0, 10), 0.1), Error);        // warm-up leaves no cosine
  CHECK_NOTHROW(Schedule(cosine(11, 0.0, 10), 0.1));
  CHECK_NOTHROW(Schedule(multistep({}, 0.1), 0.1));
}
