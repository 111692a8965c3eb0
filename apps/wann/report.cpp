#include "apps/wann/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "apps/common/svg_plot.h"
#include "prune/wann_data.h"
#include "prune/wann_eval.h"

namespace sprig::cli {

namespace {

constexpr int64_t kStartSample = 10000;  // training images that choose the weight tuning starts from

std::vector<double> accuracies(const std::vector<prune::WeightScore>& scores) {
  std::vector<double> a;
  for (const prune::WeightScore& s : scores) a.push_back(s.accuracy);
  return a;
}

std::vector<float> sweep_weights() {  // -2.5 .. 2.5 by 0.05, without 0 (where every network is constant)
  std::vector<float> w;
  for (int i = -50; i <= 50; ++i)
    if (i != 0) w.push_back(0.05f * float(i));
  return w;
}

std::string percent(double fraction) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", 100 * fraction);
  return text;
}

}  // namespace

WannTable wann_table(const prune::WannGenome& genome, const std::vector<float>& weights, const Dataset& train,
                     const Dataset& test, const WannTuning& tuning) {
  const prune::WannNet net = prune::compile(genome);
  const prune::WannBatch test_batch = prune::wann_batch(test);
  WannTable t;
  t.weights = weights;
  t.accuracy = accuracies(prune::wann_scores(net, weights, test_batch));
  t.mean = std::accumulate(t.accuracy.begin(), t.accuracy.end(), 0.0) / double(t.accuracy.size());
  for (double a : t.accuracy) t.stddev += (a - t.mean) * (a - t.mean) / double(t.accuracy.size());
  t.stddev = std::sqrt(t.stddev);
  t.ensemble = prune::wann_ensemble_accuracy(net, weights, test_batch);
  t.connections = net.connections, t.hidden = net.rows - net.outputs, t.layers = int64_t(net.layers.size());
  const std::vector<float> sweep = sweep_weights();
  const std::vector<double> swept = accuracies(prune::wann_scores(net, sweep, test_batch));
  for (size_t i = 0; i < sweep.size(); ++i) t.sweep.emplace_back(std::round(double(sweep[i]) * 100) / 100, swept[i]);

  std::vector<int64_t> first(size_t(std::min(kStartSample, train.size())));
  std::iota(first.begin(), first.end(), 0);
  const std::vector<double> on_train = accuracies(prune::wann_scores(net, weights, prune::wann_batch(train, first)));
  t.start_weight = weights[size_t(std::max_element(on_train.begin(), on_train.end()) - on_train.begin())];
  prune::WannModel shared(net, prune::WannModel::Weights::shared, t.start_weight);
  prune::train_wann(shared, train, tuning.shared, tuning.seed);
  t.tuned_weight = shared.shared_weight();
  t.tuned_shared = prune::evaluate_wann(shared, test).accuracy;
  prune::WannModel individual(net, prune::WannModel::Weights::individual, t.tuned_weight);
  prune::train_wann(individual, train, tuning.individual, tuning.seed);
  t.tuned_individual = prune::evaluate_wann(individual, test).accuracy;
  return t;
}

nlohmann::json table_json(const WannTable& t) {
  nlohmann::json sweep = nlohmann::json::array();
  for (const auto& [w, a] : t.sweep) sweep.push_back({w, a});
  return {{"random_weight", {{"mean", t.mean}, {"std", t.stddev}, {"weights", t.weights}, {"accuracy", t.accuracy}}},
          {"ensemble", t.ensemble},
          {"tuned_shared_weight", {{"accuracy", t.tuned_shared}, {"start", t.start_weight}, {"weight", t.tuned_weight}}},
          {"tuned_weights", t.tuned_individual},
          {"network", {{"connections", t.connections}, {"hidden", t.hidden}, {"layers", t.layers}}},
          {"sweep", sweep}};
}

std::string table_text(const WannTable& t) {
  char shared[64];
  std::snprintf(shared, sizeof shared, " (w = %.3g from %.3g)", double(t.tuned_weight), double(t.start_weight));
  return "network: " + std::to_string(t.connections) + " connections, " + std::to_string(t.hidden) + " hidden nodes, " +
         std::to_string(t.layers) + " layers\n" +
         "MNIST test accuracy           sprig            paper\n"
         "random shared weight          " + percent(t.mean) + " +- " + percent(t.stddev) + "  82.0% +- 18.7%\n" +
         "ensemble of the weights       " + percent(t.ensemble) + "            91.6%\n" +
         "tuned shared weight           " + percent(t.tuned_shared) + "            91.9%" + shared + "\n" +
         "tuned weights                 " + percent(t.tuned_individual) + "            94.2%\n";
}

std::string accuracy_svg(const WannTable& t) {
  PlotPanel panel{"MNIST test accuracy against the shared weight", "shared weight", "test accuracy (%)", false, false, {}};
  PlotSeries sweep{"one shared weight", "#1f77b4", {}}, listed{"the search's weights", "#d62728", {}};
  for (const auto& [w, a] : t.sweep) sweep.points.push_back({w, 100 * a, 100 * a, 100 * a});
  for (size_t k = 0; k < t.weights.size(); ++k)
    listed.points.push_back({t.weights[k], 100 * t.accuracy[k], 100 * t.accuracy[k], 100 * t.accuracy[k]});
  auto level = [&](const char* name, const char* colour, double a) {
    return PlotSeries{name, colour, {{-2.5, 100 * a, 100 * a, 100 * a}, {2.5, 100 * a, 100 * a, 100 * a}}};
  };
  panel.series = {sweep, listed, level("ensemble", "#2ca02c", t.ensemble), level("tuned weights", "#9467bd", t.tuned_individual)};
  return svg_panels({panel}, 640, 400);
}

}  // namespace sprig::cli
