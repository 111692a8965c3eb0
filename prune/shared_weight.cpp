#include "prune/shared_weight.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "prune/magnitude.h"
#include "prune/rewind.h"
#include "tensor/softmax.h"

namespace sprig::prune {

void check_options(const SharedWeightOptions& o) {
  SPRIG_CHECK(!o.weights.empty(), "shared-weight evaluation: the list of weights is empty");
  for (double w : o.weights)
    SPRIG_CHECK(std::isfinite(w), "shared-weight evaluation: weight ", w, " is not a finite number");
}

namespace {

bool is_bias(const std::string& name) { return name == "bias" || name.ends_with(".bias"); }

// Prunable weights := w * mask (* sign of signs), biases := 0; other parameters (BatchNorm) keep theirs.
void set_shared(nn::ParameterSet& parameters, float w, const Tensor& signs) {
  float* values = parameters.values().data();
  for (const auto& slot : parameters.slots()) {
    float* v = values + slot.offset;
    if (is_bias(slot.name)) std::fill_n(v, slot.numel, 0.0f);
    if (!slot.parameter->prunable) continue;
    const float* mask = slot.parameter->mask.defined() ? slot.parameter->mask.data() : nullptr;
    const float* sign = signs.defined() ? signs.data() + slot.offset : nullptr;
    for (int64_t i = 0; i < slot.numel; ++i) {
      const float s = sign ? float((sign[i] > 0.0f) - (sign[i] < 0.0f)) : 1.0f;
      v[i] = (mask && mask[i] == 0.0f) ? 0.0f : w * s;
    }
  }
}

// One pass over `loader`: the score, and each example's class probabilities added into `probabilities`.
SharedWeightScore score_pass(nn::Module& model, DataLoader& loader, double w, std::vector<double>& probabilities,
                             std::vector<int32_t>& labels) {
  Batch batch;
  loader.start_epoch(0);
  double loss = 0;
  int64_t correct = 0, seen = 0;
  while (loader.next(batch)) {
    const Tensor logp = log_softmax(model(Variable(batch.images)).value());
    const int64_t classes = logp.size(1);
    if (probabilities.empty()) probabilities.assign(size_t(loader.dataset().size() * classes), 0.0);
    for (int64_t r = 0; r < batch.size(); ++r, ++seen) {
      const float* row = logp.data() + r * classes;
      const int32_t label = batch.labels[size_t(r)];
      if (labels.size() < size_t(loader.dataset().size())) labels.push_back(label);
      loss -= row[label];
      correct += std::max_element(row, row + classes) - row == label;
      for (int64_t c = 0; c < classes; ++c) probabilities[size_t(seen * classes + c)] += std::exp(double(row[c]));
    }
  }
  return {w, loss / double(seen), double(correct) / double(seen)};
}

// Loss and accuracy of the averaged probabilities (sums over `count` passes).
SharedWeightScore ensemble_score(const std::vector<double>& probabilities, const std::vector<int32_t>& labels,
                                 size_t count) {
  const auto n = int64_t(labels.size());
  const int64_t classes = int64_t(probabilities.size()) / n;
  double loss = 0;
  int64_t correct = 0;
  for (int64_t r = 0; r < n; ++r) {
    const double* row = probabilities.data() + r * classes;
    loss -= std::log(std::max(row[labels[size_t(r)]] / double(count), 1e-12));
    correct += std::max_element(row, row + classes) - row == labels[size_t(r)];
  }
  return {std::numeric_limits<double>::quiet_NaN(), loss / double(n), double(correct) / double(n)};
}

}  // namespace

SharedWeightResult evaluate_shared_weight(nn::Module& model, nn::ParameterSet& parameters,
                                          const std::map<std::string, Tensor>& masks, const Tensor& signs,
                                          DataLoader& loader, const SharedWeightOptions& options) {
  check_options(options);
  SPRIG_CHECK(!options.keep_sign || (signs.defined() && signs.numel() == parameters.size()),
              "shared-weight evaluation: keep_sign needs a snapshot of ", parameters.size(), " values, got ",
              signs.defined() ? signs.numel() : 0);
  SPRIG_CHECK(loader.dataset().size() > 0, "shared-weight evaluation: the data set is empty");
  prune::apply(parameters, masks);
  const Tensor saved = snapshot(parameters);
  const bool was_training = model.training();
  model.eval();
  NoGradGuard no_grad;
  SharedWeightResult result;
  std::vector<double> probabilities;
  std::vector<int32_t> labels;
  for (double w : options.weights) {
    set_shared(parameters, float(w), options.keep_sign ? signs : Tensor());
    result.per_weight.push_back(score_pass(model, loader, w, probabilities, labels));
  }
  rewind(parameters, saved);
  model.train(was_training);
  result.min_accuracy = result.max_accuracy = result.per_weight[0].accuracy;
  for (const SharedWeightScore& s : result.per_weight) {
    result.mean_accuracy += s.accuracy / double(result.per_weight.size());
    result.mean_loss += s.loss / double(result.per_weight.size());
    result.min_accuracy = std::min(result.min_accuracy, s.accuracy);
    result.max_accuracy = std::max(result.max_accuracy, s.accuracy);
  }
  result.ensemble = ensemble_score(probabilities, labels, result.per_weight.size());
  return result;
}

}  // namespace sprig::prune
