#include "prune/wann_eval.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include "tensor/spmm.h"

namespace sprig::prune {

namespace {

// out[t] = act(w * (p[t] + q[t])) with the activation a constant, so each loop is its own function.
template <Activation A>
void activate_row(float w, const float* p, const float* q, float* out, int64_t n) {
  for (int64_t t = 0; t < n; ++t) out[t] = activate(A, w * (p[t] + q[t]));
}

void activate_row(Activation a, float w, const float* p, const float* q, float* out, int64_t n) {
  switch (a) {
    case Activation::linear: return activate_row<Activation::linear>(w, p, q, out, n);
    case Activation::step: return activate_row<Activation::step>(w, p, q, out, n);
    case Activation::sin: return activate_row<Activation::sin>(w, p, q, out, n);
    case Activation::cos: return activate_row<Activation::cos>(w, p, q, out, n);
    case Activation::gaussian: return activate_row<Activation::gaussian>(w, p, q, out, n);
    case Activation::tanh: return activate_row<Activation::tanh>(w, p, q, out, n);
    case Activation::sigmoid: return activate_row<Activation::sigmoid>(w, p, q, out, n);
    case Activation::inverse: return activate_row<Activation::inverse>(w, p, q, out, n);
    case Activation::abs: return activate_row<Activation::abs>(w, p, q, out, n);
    case Activation::relu: return activate_row<Activation::relu>(w, p, q, out, n);
  }
}

// x: [inputs, n] (rows ldx apart) -> ws.rows: [net.rows, W * n], weight k's block at columns [k n, (k + 1) n).
// The outputs are its last net.outputs rows.
void forward_tile(const WannNet& net, const std::vector<float>& weights, const float* x, int64_t ldx, int64_t n,
                  WannWorkspace& ws) {
  const int64_t W = int64_t(weights.size()), wide = W * n, widest = net.widest_layer();
  ws.rows.resize(size_t(net.rows * wide));
  ws.from_inputs.resize(size_t(widest * n));
  ws.from_rows.resize(size_t(widest * wide));
  float* rows = ws.rows.data();
  for (const WannLayer& layer : net.layers) {
    spmm(layer.from_inputs, x, ldx, n, nullptr, ws.from_inputs.data(), n);  // the same for every weight
    spmm(layer.from_rows, rows, wide, wide, nullptr, ws.from_rows.data(), wide);
    for (int64_t r = 0; r < layer.size(); ++r)
      for (int64_t k = 0; k < W; ++k)
        activate_row(layer.activations[size_t(r)], weights[size_t(k)], ws.from_inputs.data() + r * n,
                     ws.from_rows.data() + r * wide + k * n, rows + (layer.first_row + r) * wide + k * n, n);
  }
}

// Runs `visit(t0, n, outputs)` for each tile of the batch, outputs: [net.outputs, W * n] as above.
template <class Visit>
void for_each_tile(const WannNet& net, const std::vector<float>& weights, const WannBatch& batch, WannWorkspace& ws,
                   Visit&& visit) {
  const int64_t B = batch.size();
  for (int64_t t0 = 0; t0 < B; t0 += kWannTile) {
    const int64_t n = std::min(kWannTile, B - t0);
    forward_tile(net, weights, batch.inputs.data() + t0, B, n, ws);
    visit(t0, n, ws.rows.data() + (net.rows - net.outputs) * int64_t(weights.size()) * n);
  }
}

// Softmax of outputs[o * stride] over o < count into probs; false (probs untouched) if any is not
// finite. In float: a double exp here cost a sixth of a search's time.
bool softmax_column(const float* outputs, int64_t stride, int64_t count, float* probs) {
  float top = -std::numeric_limits<float>::infinity();
  for (int64_t o = 0; o < count; ++o) {
    if (!std::isfinite(outputs[o * stride])) return false;
    top = std::max(top, outputs[o * stride]);
  }
  float total = 0.0f;
  for (int64_t o = 0; o < count; ++o) total += probs[o] = std::exp(outputs[o * stride] - top);
  for (int64_t o = 0; o < count; ++o) probs[o] /= total;
  return true;
}

template <class T>
int64_t argmax(const T* values, int64_t count) {
  return std::max_element(values, values + count) - values;  // the first of equal maxima
}

}  // namespace

void check_wann_inputs(const WannNet& net, const std::vector<float>& weights, const WannBatch& batch, bool need_labels) {
  SPRIG_CHECK(!weights.empty(), "wann: the list of shared weights is empty; give at least one (the paper: "
                                "-2, -1, -0.5, 0.5, 1, 2)");
  for (float w : weights) SPRIG_CHECK(std::isfinite(w), "wann: shared weight ", w, " is not finite");
  SPRIG_CHECK(batch.inputs.defined() && batch.inputs.dim() == 2 && batch.inputs.size(0) == net.inputs,
              "wann: expected inputs [", net.inputs, ", B] (a row per input node), got ",
              batch.inputs.defined() ? batch.inputs.shape().str() : "none");
  if (!need_labels) return;
  SPRIG_CHECK(int64_t(batch.labels.size()) == batch.size(), "wann: ", batch.labels.size(), " labels for ",
              batch.size(), " examples");
  for (int32_t label : batch.labels)
    SPRIG_CHECK(label >= 0 && label < net.outputs, "wann: label ", label, " outside [0, ", net.outputs, ")");
}

Tensor wann_outputs(const WannNet& net, const std::vector<float>& weights, const WannBatch& batch) {
  check_wann_inputs(net, weights, batch, false);
  const int64_t W = int64_t(weights.size()), O = net.outputs, B = batch.size();
  Tensor out = Tensor::empty({W, O, B});
  WannWorkspace ws;
  for_each_tile(net, weights, batch, ws, [&](int64_t t0, int64_t n, const float* outputs) {
    for (int64_t k = 0; k < W; ++k)
      for (int64_t o = 0; o < O; ++o)
        std::copy_n(outputs + o * W * n + k * n, n, out.data() + (k * O + o) * B + t0);
  });
  return out;
}

Tensor wann_outputs_reference(const WannGenome& genome, const std::vector<float>& weights, const WannBatch& batch) {
  const WannNet net = compile(genome);  // validates; only its sizes are used
  check_wann_inputs(net, weights, batch, false);
  const int64_t W = int64_t(weights.size()), O = genome.outputs, B = batch.size();
  Tensor out = Tensor::empty({W, O, B});
  std::vector<double> value(size_t(genome.nodes()));
  std::vector<bool> done(size_t(genome.nodes()));
  for (int64_t k = 0; k < W; ++k)
    for (int64_t b = 0; b < B; ++b) {
      std::fill(done.begin(), done.end(), false);
      // A node's value once all its sources have theirs: repeat passes until every node is done.
      for (int64_t i = 0; i < genome.inputs; ++i) value[size_t(i)] = batch.inputs.at({i, b}), done[size_t(i)] = true;
      for (bool changed = true; changed;) {
        changed = false;
        for (int64_t node = genome.inputs; node < genome.nodes(); ++node) {
          if (done[size_t(node)]) continue;
          double sum = 0.0;
          bool ready = true;
          for (const WannConnection& c : genome.connections)
            if (c.enabled && c.to == node) ready = ready && done[size_t(c.from)], sum += value[size_t(c.from)];
          if (!ready) continue;
          const Activation a = genome.is_output(node) ? Activation::linear : genome.hidden[size_t(node - genome.first_hidden())];
          value[size_t(node)] = activate(a, float(double(weights[size_t(k)]) * sum));
          done[size_t(node)] = changed = true;
        }
      }
      for (int64_t o = 0; o < O; ++o) out.at({k, o, b}) = float(value[size_t(genome.inputs + o)]);
    }
  return out;
}

std::vector<WeightScore> wann_scores(const WannNet& net, const std::vector<float>& weights, const WannBatch& batch,
                                     WannWorkspace& ws) {
  check_wann_inputs(net, weights, batch, true);
  const int64_t W = int64_t(weights.size()), O = net.outputs, B = batch.size();
  std::vector<double> loss(static_cast<size_t>(W), 0.0);
  std::vector<float> probs(static_cast<size_t>(O));
  std::vector<int64_t> correct(static_cast<size_t>(W), 0);
  for_each_tile(net, weights, batch, ws, [&](int64_t t0, int64_t n, const float* outputs) {
    for (int64_t k = 0; k < W; ++k)
      for (int64_t t = 0; t < n; ++t) {
        const int32_t label = batch.labels[size_t(t0 + t)];
        if (!softmax_column(outputs + k * n + t, W * n, O, probs.data())) {
          loss[size_t(k)] += kWannLossCap;  // overflowed: as bad as it gets, and wrong
          continue;
        }
        loss[size_t(k)] += std::min(-std::log(double(probs[size_t(label)])), kWannLossCap);
        correct[size_t(k)] += argmax(probs.data(), O) == label;
      }
  });
  std::vector<WeightScore> scores(static_cast<size_t>(W));
  for (int64_t k = 0; k < W; ++k)
    scores[size_t(k)] = {B ? loss[size_t(k)] / double(B) : 0.0, B ? double(correct[size_t(k)]) / double(B) : 0.0};
  return scores;
}

std::vector<WeightScore> wann_scores(const WannNet& net, const std::vector<float>& weights, const WannBatch& batch) {
  WannWorkspace ws;
  return wann_scores(net, weights, batch, ws);
}

// A weight whose outputs overflowed for an example has no probabilities to give it and sits that one out.
double wann_ensemble_accuracy(const WannNet& net, const std::vector<float>& weights, const WannBatch& batch) {
  check_wann_inputs(net, weights, batch, true);
  const int64_t W = int64_t(weights.size()), O = net.outputs;
  std::vector<float> probs(static_cast<size_t>(O));
  std::vector<double> mean(static_cast<size_t>(O));
  int64_t correct = 0;
  WannWorkspace ws;
  for_each_tile(net, weights, batch, ws, [&](int64_t t0, int64_t n, const float* outputs) {
    for (int64_t t = 0; t < n; ++t) {
      std::fill(mean.begin(), mean.end(), 0.0);
      for (int64_t k = 0; k < W; ++k)
        if (softmax_column(outputs + k * n + t, W * n, O, probs.data()))
          for (int64_t o = 0; o < O; ++o) mean[size_t(o)] += probs[size_t(o)];
      correct += argmax(mean.data(), O) == batch.labels[size_t(t0 + t)];
    }
  });
  return batch.size() ? double(correct) / double(batch.size()) : 0.0;
}

// Networks differ in size, so threads take them one at a time (dynamic); each network's scores come
// from one thread in a fixed order, so the assignment changes no result.
std::vector<std::vector<WeightScore>> evaluate_population(const std::vector<WannGenome>& genomes,
                                                          const std::vector<float>& weights, const WannBatch& batch) {
  std::vector<std::vector<WeightScore>> scores(genomes.size());
  std::exception_ptr error;
#pragma omp parallel
  {
    WannWorkspace ws;
#pragma omp for schedule(dynamic, 1)
    for (int64_t i = 0; i < int64_t(genomes.size()); ++i) {
      try {
        scores[size_t(i)] = wann_scores(compile(genomes[size_t(i)]), weights, batch, ws);
      } catch (...) {
#pragma omp critical(wann_population_error)
        if (!error) error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
  return scores;
}

}  // namespace sprig::prune
