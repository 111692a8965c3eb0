#pragma once
// Wall-clock timing: warm up, size a batch of calls to fill the time budget, then report the
// median (typical) and the minimum (best) seconds per call over a few repeats.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

namespace sprig::bench {

struct TimingPlan {
  double min_time = 0.3;  // seconds of timed calls per row
  int64_t max_repeats = 5;
  bool quick = false;  // one warm-up call and one timed call: a smoke test, not a measurement
};

struct Timing {
  double median = 0;  // seconds per call
  double best = 0;
};

template <typename Fn>
double seconds_per_call(Fn& fn, int64_t calls) {
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < calls; ++i) fn();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / static_cast<double>(calls);
}

template <typename Fn>
Timing measure(const TimingPlan& plan, Fn&& fn) {
  fn();  // warm-up: first touch of pages, OpenBLAS buffers, the storage cache
  const double first = seconds_per_call(fn, 1);
  if (plan.quick) return {first, first};
  const int64_t calls = std::max<int64_t>(3, std::llround(plan.min_time / std::max(first, 1e-9)));
  const int64_t repeats = std::min(plan.max_repeats, calls);
  const int64_t per_repeat = (calls + repeats - 1) / repeats;
  std::vector<double> samples;
  for (int64_t r = 0; r < repeats; ++r) samples.push_back(seconds_per_call(fn, per_repeat));
  std::sort(samples.begin(), samples.end());
  const size_t mid = samples.size() / 2;
  const double median = samples.size() % 2 ? samples[mid] : 0.5 * (samples[mid - 1] + samples[mid]);
  return {median, samples.front()};
}

}  // namespace sprig::bench
