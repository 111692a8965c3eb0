#pragma once
// The density below which CSR beats dense, from timings at a few densities.
#include <vector>

namespace sprig::bench {

struct DensityTiming {
  double density;
  double ratio;  // CSR time / dense time at that density
};

// Where the ratio crosses 1, interpolating log(ratio) linearly in log(density) between the two
// measured densities around the crossing. 1 (or the highest density measured) if CSR is faster
// everywhere, 0 if it never is.
double break_even(std::vector<DensityTiming> timings);

}  // namespace sprig::bench
