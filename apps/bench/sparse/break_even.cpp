#include "break_even.h"

#include <algorithm>
#include <cmath>

namespace sprig::bench {

double break_even(std::vector<DensityTiming> timings) {
  std::sort(timings.begin(), timings.end(), [](const auto& a, const auto& b) { return a.density > b.density; });
  timings.erase(std::remove_if(timings.begin(), timings.end(), [](const auto& t) { return t.density <= 0; }),
                timings.end());
  if (timings.empty()) return 0;
  if (timings.front().ratio < 1) return timings.front().density;
  for (size_t i = 1; i < timings.size(); ++i) {
    const DensityTiming &hi = timings[i - 1], &lo = timings[i];
    if (lo.ratio >= 1) continue;
    const double t = std::log(hi.ratio) / (std::log(hi.ratio) - std::log(lo.ratio));  // 0 at hi, 1 at lo
    return std::exp(std::log(hi.density) + t * (std::log(lo.density) - std::log(hi.density)));
  }
  return 0;
}

}  // namespace sprig::bench
