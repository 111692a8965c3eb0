#pragma once
// Multi-objective ranking as in NSGA-II (Deb et al. 2002), which the WANN search uses: individuals
// are sorted into Pareto fronts (front 0 is dominated by no one), and within a front those in
// sparser regions of objective space (larger crowding distance) come first. Every objective is
// maximised. Ties fall back on the index, so a ranking never depends on sort internals.
#include <cstdint>
#include <vector>

namespace sprig::prune {

// objectives[i]: individual i's objective values (all the same length). Returns each one's front.
std::vector<int64_t> pareto_fronts(const std::vector<std::vector<double>>& objectives);
// Crowding distance of each member of `front` (indices into objectives): per objective, the gap
// between its neighbours over the objective's range within the front, summed; the extremes get infinity.
std::vector<double> crowding_distances(const std::vector<std::vector<double>>& objectives,
                                       const std::vector<int64_t>& front);
// Rank of each individual, 0 the best: by front, then crowding distance (larger first), then index.
std::vector<int64_t> pareto_rank(const std::vector<std::vector<double>>& objectives);

}  // namespace sprig::prune
