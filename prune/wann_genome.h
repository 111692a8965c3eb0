#pragma once
// Weight-agnostic neural networks (Gaier & Ha 2019): a genome is a feed-forward topology whose every
// connection carries the same shared weight, searched by mutation alone (no crossover).
//
// Node ids: 0 .. inputs-1 are the inputs (the data decides what they hold; sprig's MNIST batches put
// a bias of 1 in the last one), inputs .. inputs+outputs-1 the outputs (linear; the task applies
// softmax), then hidden node k has id inputs + outputs + k and activation hidden[k]. Connections run
// from an input or hidden node to a hidden or output node and never form a cycle, counting disabled
// ones (a split connection is disabled and may be enabled again). A search starts from connections
// between inputs and outputs only, each present with a set probability.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tensor/generator.h"

namespace sprig::prune {

// The paper's set, defined as in its code (prettyNEAT's applyAct): step is 1 for x > 0, sin and cos
// take pi * x, gaussian is exp(-x^2 / 2), sigmoid is (tanh(x / 2) + 1) / 2, inverse is -x.
enum class Activation : uint8_t { linear, step, sin, cos, gaussian, tanh, sigmoid, inverse, abs, relu };
inline constexpr int kActivationCount = 10;

const char* activation_name(Activation a);
Activation activation_from_name(const std::string& name);  // throws listing the names
float activation_derivative(Activation a, float x);  // d activate / dx (step: 0; abs, relu: 0 at 0)

// Inline: the evaluator instantiates its row loop per activation and wants this folded into it.
inline float activate(Activation a, float x) {
  constexpr float pi = std::numbers::pi_v<float>;
  switch (a) {
    case Activation::linear: return x;
    case Activation::step: return x > 0.0f ? 1.0f : 0.0f;
    case Activation::sin: return std::sin(pi * x);
    case Activation::cos: return std::cos(pi * x);
    case Activation::gaussian: return std::exp(-0.5f * x * x);
    case Activation::tanh: return std::tanh(x);
    case Activation::sigmoid: return 0.5f * (std::tanh(0.5f * x) + 1.0f);
    case Activation::inverse: return -x;
    case Activation::abs: return std::fabs(x);
    case Activation::relu: return x > 0.0f ? x : 0.0f;
  }
  return x;
}

struct WannConnection {
  int64_t from = 0, to = 0;
  bool enabled = true;
  bool operator==(const WannConnection&) const = default;
};

struct WannGenome {
  int64_t inputs = 0, outputs = 0;
  std::vector<Activation> hidden;
  std::vector<WannConnection> connections;

  int64_t nodes() const { return inputs + outputs + int64_t(hidden.size()); }
  int64_t first_hidden() const { return inputs + outputs; }
  bool is_input(int64_t id) const { return id < inputs; }
  bool is_output(int64_t id) const { return id >= inputs && id < first_hidden(); }
  int64_t enabled_connections() const;
  // Throws naming the first problem: sizes, ids out of range, a connection into an input or out of
  // an output, a self-loop, a duplicate (from, to), a cycle.
  void validate() const;
  bool operator==(const WannGenome&) const = default;
};

// {"inputs": 3, "outputs": 1, "hidden": ["tanh", ...], "connections": [[from, to, enabled 1|0], ...]}
nlohmann::json genome_to_json(const WannGenome& genome);
// Throws sprig::Error naming `source` and the bad field (and validates the result).
WannGenome genome_from_json(const nlohmann::json& json, const std::string& source = "genome");

struct WannMutationOptions {  // one mutation per child, chosen with these relative odds (the paper's)
  double add_connection = 0.20;
  double add_node = 0.25;
  double enable_connection = 0.05;
  double change_activation = 0.50;

  template <class V>
  void visit(V& v) {
    v("add_connection", add_connection, "odds of adding a feed-forward connection");
    v("add_node", add_node, "odds of inserting a node by splitting an enabled connection");
    v("enable_connection", enable_connection, "odds of enabling a disabled (split) connection");
    v("change_activation", change_activation, "odds of changing a hidden node's activation");
  }
  void check() const;  // throws unless all are >= 0 and finite, and some > 0
};

// Inputs x outputs connections, each present with probability `density` (at least one when density > 0).
WannGenome initial_genome(int64_t inputs, int64_t outputs, double density, Generator& gen);

// The mutations; each returns false (genome unchanged) when it has nothing to act on.
bool add_connection(WannGenome& genome, Generator& gen);
bool add_node(WannGenome& genome, Generator& gen);  // splits an enabled connection; random activation
bool enable_connection(WannGenome& genome, Generator& gen);
bool change_activation(WannGenome& genome, Generator& gen);  // to a different activation
// One mutation drawn by the options' odds (all zero: none).
void mutate(WannGenome& genome, const WannMutationOptions& options, Generator& gen);

}  // namespace sprig::prune
