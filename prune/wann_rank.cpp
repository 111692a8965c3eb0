#include "prune/wann_rank.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "tensor/error.h"

namespace sprig::prune {

namespace {

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool better = false;
  for (size_t m = 0; m < a.size(); ++m) {
    if (a[m] < b[m]) return false;
    better = better || a[m] > b[m];
  }
  return better;
}

}  // namespace

// Deb's fast non-dominated sort: O(M N^2).
std::vector<int64_t> pareto_fronts(const std::vector<std::vector<double>>& objectives) {
  const size_t n = objectives.size();
  for (const std::vector<double>& o : objectives)
    SPRIG_CHECK(o.size() == objectives[0].size(), "pareto_fronts: individuals have ", objectives[0].size(), " and ",
                o.size(), " objectives");
  std::vector<std::vector<size_t>> beaten(n);  // whom each one dominates
  std::vector<int64_t> dominators(n, 0), front(n, -1);
  std::vector<size_t> current;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j)
      if (dominates(objectives[i], objectives[j])) beaten[i].push_back(j);
      else if (dominates(objectives[j], objectives[i])) ++dominators[i];
    if (dominators[i] == 0) current.push_back(i);
  }
  for (int64_t f = 0; !current.empty(); ++f) {
    std::vector<size_t> next;
    for (size_t i : current) {
      front[i] = f;
      for (size_t j : beaten[i])
        if (--dominators[j] == 0) next.push_back(j);
    }
    current = std::move(next);
  }
  return front;
}

std::vector<double> crowding_distances(const std::vector<std::vector<double>>& objectives,
                                       const std::vector<int64_t>& front) {
  const size_t n = front.size();
  std::vector<double> distance(n, 0.0);
  if (n == 0) return distance;
  std::vector<size_t> order(n);
  for (size_t m = 0; m < objectives[size_t(front[0])].size(); ++m) {
    auto value = [&](size_t k) { return objectives[size_t(front[k])][m]; };
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return value(a) < value(b); });
    const double range = value(order.back()) - value(order.front());
    distance[order.front()] = distance[order.back()] = std::numeric_limits<double>::infinity();
    for (size_t k = 1; k + 1 < n; ++k)
      if (range > 0) distance[order[k]] += (value(order[k + 1]) - value(order[k - 1])) / range;
  }
  return distance;
}

std::vector<int64_t> pareto_rank(const std::vector<std::vector<double>>& objectives) {
  const std::vector<int64_t> front = pareto_fronts(objectives);
  const int64_t fronts = front.empty() ? 0 : *std::max_element(front.begin(), front.end()) + 1;
  std::vector<std::vector<int64_t>> members(static_cast<size_t>(fronts));
  for (size_t i = 0; i < front.size(); ++i) members[size_t(front[i])].push_back(int64_t(i));
  std::vector<double> crowding(front.size());
  for (const std::vector<int64_t>& f : members) {
    const std::vector<double> d = crowding_distances(objectives, f);
    for (size_t k = 0; k < f.size(); ++k) crowding[size_t(f[k])] = d[k];
  }
  std::vector<int64_t> order(front.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    if (front[size_t(a)] != front[size_t(b)]) return front[size_t(a)] < front[size_t(b)];
    return crowding[size_t(a)] > crowding[size_t(b)];
  });
  std::vector<int64_t> rank(front.size());
  for (size_t r = 0; r < order.size(); ++r) rank[size_t(order[r])] = int64_t(r);
  return rank;
}

}  // namespace sprig::prune
