#pragma once
// The paper's MNIST table for one network (Gaier & Ha 2019, Table 2): test accuracy with a random
// shared weight (mean +- std over the weights), the ensemble over the weights (softmax outputs
// averaged), the best single shared weight tuned by Adam, and a weight per connection tuned by Adam;
// plus test accuracy against the shared weight as a plot.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "prune/wann_genome.h"
#include "prune/wann_train.h"

namespace sprig::cli {

struct WannTuning {
  prune::WannTrainOptions shared, individual;
  uint64_t seed = 1;
};

struct WannTable {
  std::vector<float> weights;
  std::vector<double> accuracy;  // test accuracy per weight
  double mean = 0, stddev = 0;   // over the weights (population std, as numpy's)
  double ensemble = 0;
  float start_weight = 0;        // the weight the tuning starts from: best training accuracy of the list
  float tuned_weight = 0;
  double tuned_shared = 0, tuned_individual = 0;
  int64_t connections = 0, hidden = 0, layers = 0;
  std::vector<std::pair<double, double>> sweep;  // (shared weight, test accuracy)
};

WannTable wann_table(const prune::WannGenome& genome, const std::vector<float>& weights, const Dataset& train,
                     const Dataset& test, const WannTuning& tuning);
nlohmann::json table_json(const WannTable& table);
std::string table_text(const WannTable& table);  // the four rows beside the paper's figures
std::string accuracy_svg(const WannTable& table);

}  // namespace sprig::cli
