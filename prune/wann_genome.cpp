#include "prune/wann_genome.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>
#include <utility>

#include "tensor/error.h"

namespace sprig::prune {

namespace {

constexpr const char* kActivationNames[kActivationCount] = {"linear",   "step",    "sin",     "cos", "gaussian",
                                                            "tanh",     "sigmoid", "inverse", "abs", "relu"};
constexpr float kPi = std::numbers::pi_v<float>;

std::string all_activation_names() {
  std::string names;
  for (const char* name : kActivationNames) names.append(names.empty() ? "" : ", ").append(name);
  return names;
}

// Nodes from which `target` is reachable (target included), over all connections, disabled too:
// a new connection out of `target` into any of them would close a cycle.
std::vector<bool> ancestors(const WannGenome& genome, int64_t target) {
  std::vector<std::vector<int64_t>> into(size_t(genome.nodes()));
  for (const WannConnection& c : genome.connections) into[size_t(c.to)].push_back(c.from);
  std::vector<bool> seen(size_t(genome.nodes()), false);
  std::vector<int64_t> stack{target};
  seen[size_t(target)] = true;
  while (!stack.empty()) {
    const int64_t node = stack.back();
    stack.pop_back();
    for (int64_t from : into[size_t(node)])
      if (!seen[size_t(from)]) seen[size_t(from)] = true, stack.push_back(from);
  }
  return seen;
}

Activation random_activation(Generator& gen) { return Activation(gen.integer(kActivationCount)); }

int64_t json_id(const nlohmann::json& value, const std::string& where) {
  SPRIG_CHECK(value.is_number_integer(), where, ": expected an integer node id, got ", value.dump());
  return value.get<int64_t>();
}

}  // namespace

const char* activation_name(Activation a) { return kActivationNames[int(a)]; }

Activation activation_from_name(const std::string& name) {
  for (int i = 0; i < kActivationCount; ++i)
    if (name == kActivationNames[i]) return Activation(i);
  throw Error("wann: unknown activation \"" + name + "\" (expected one of " + all_activation_names() + ")");
}

float activation_derivative(Activation a, float x) {
  switch (a) {
    case Activation::linear: return 1.0f;
    case Activation::step: return 0.0f;
    case Activation::sin: return kPi * std::cos(kPi * x);
    case Activation::cos: return -kPi * std::sin(kPi * x);
    case Activation::gaussian: return -x * std::exp(-0.5f * x * x);
    case Activation::tanh: {
      const float t = std::tanh(x);
      return 1.0f - t * t;
    }
    case Activation::sigmoid: {
      const float s = 0.5f * (std::tanh(0.5f * x) + 1.0f);
      return s * (1.0f - s);
    }
    case Activation::inverse: return -1.0f;
    case Activation::abs: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f);
    case Activation::relu: return x > 0.0f ? 1.0f : 0.0f;
  }
  return 1.0f;
}

int64_t WannGenome::enabled_connections() const {
  return std::count_if(connections.begin(), connections.end(), [](const WannConnection& c) { return c.enabled; });
}

void WannGenome::validate() const {
  SPRIG_CHECK(inputs >= 1 && outputs >= 1, "wann genome: expected at least one input and one output, got ", inputs,
              " inputs and ", outputs, " outputs");
  std::set<std::pair<int64_t, int64_t>> seen;
  for (size_t k = 0; k < connections.size(); ++k) {
    const WannConnection& c = connections[k];
    SPRIG_CHECK(c.from >= 0 && c.from < nodes() && c.to >= 0 && c.to < nodes(), "wann genome: connection ", k, " (",
                c.from, " -> ", c.to, ") names a node outside [0, ", nodes(), ")");
    SPRIG_CHECK(!is_output(c.from), "wann genome: connection ", k, " leaves output node ", c.from);
    SPRIG_CHECK(!is_input(c.to), "wann genome: connection ", k, " enters input node ", c.to);
    SPRIG_CHECK(c.from != c.to, "wann genome: connection ", k, " is a self-loop on node ", c.from);
    SPRIG_CHECK(seen.insert({c.from, c.to}).second, "wann genome: connection ", k, " repeats ", c.from, " -> ", c.to);
  }
  // Kahn's algorithm: every node is taken once all connections into it are, unless there is a cycle.
  std::vector<int64_t> pending(size_t(nodes()), 0);
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(nodes()));
  for (const WannConnection& c : connections) ++pending[size_t(c.to)], out[size_t(c.from)].push_back(c.to);
  std::vector<int64_t> ready;
  for (int64_t n = 0; n < nodes(); ++n)
    if (pending[size_t(n)] == 0) ready.push_back(n);
  int64_t taken = 0;
  while (!ready.empty()) {
    const int64_t n = ready.back();
    ready.pop_back();
    ++taken;
    for (int64_t to : out[size_t(n)])
      if (--pending[size_t(to)] == 0) ready.push_back(to);
  }
  SPRIG_CHECK(taken == nodes(), "wann genome: the connections form a cycle (", nodes() - taken,
              " nodes lie on or after one); a network must be feed-forward");
}

nlohmann::json genome_to_json(const WannGenome& genome) {
  nlohmann::json hidden = nlohmann::json::array(), connections = nlohmann::json::array();
  for (Activation a : genome.hidden) hidden.push_back(activation_name(a));
  for (const WannConnection& c : genome.connections) connections.push_back({c.from, c.to, c.enabled ? 1 : 0});
  return {{"inputs", genome.inputs}, {"outputs", genome.outputs}, {"hidden", hidden}, {"connections", connections}};
}

WannGenome genome_from_json(const nlohmann::json& json, const std::string& source) {
  SPRIG_CHECK(json.is_object(), source, ": expected a JSON object with inputs, outputs, hidden and connections, got ",
              json.dump().substr(0, 60));
  for (const char* key : {"inputs", "outputs", "hidden", "connections"})
    SPRIG_CHECK(json.contains(key), source, ": missing key \"", key, "\"");
  WannGenome genome;
  genome.inputs = json_id(json["inputs"], source + ": inputs");
  genome.outputs = json_id(json["outputs"], source + ": outputs");
  const nlohmann::json& hidden = json["hidden"];
  SPRIG_CHECK(hidden.is_array(), source, ": hidden: expected an array of activation names, got ", hidden.dump());
  for (const nlohmann::json& name : hidden) {
    SPRIG_CHECK(name.is_string(), source, ": hidden: expected an activation name, got ", name.dump());
    try {
      genome.hidden.push_back(activation_from_name(name.get<std::string>()));
    } catch (const Error& e) {
      throw Error(source + ": hidden: " + e.what());
    }
  }
  const nlohmann::json& connections = json["connections"];
  SPRIG_CHECK(connections.is_array(), source, ": connections: expected an array of [from, to, enabled], got ",
              connections.dump().substr(0, 60));
  for (size_t k = 0; k < connections.size(); ++k) {
    const nlohmann::json& c = connections[k];
    const std::string where = source + ": connection " + std::to_string(k);
    SPRIG_CHECK(c.is_array() && c.size() == 3, where, ": expected [from, to, enabled], got ", c.dump());
    const int64_t enabled = json_id(c[2], where + " enabled");
    SPRIG_CHECK(enabled == 0 || enabled == 1, where, ": enabled must be 0 or 1, got ", enabled);
    genome.connections.push_back({json_id(c[0], where), json_id(c[1], where), enabled == 1});
  }
  try {
    genome.validate();
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
  return genome;
}

void WannMutationOptions::check() const {
  const double odds[] = {add_connection, add_node, enable_connection, change_activation};
  for (double p : odds) SPRIG_CHECK(std::isfinite(p) && p >= 0, "wann mutation: odds must be >= 0, got ", p);
  SPRIG_CHECK(odds[0] + odds[1] + odds[2] + odds[3] > 0, "wann mutation: at least one mutation needs odds > 0");
}

WannGenome initial_genome(int64_t inputs, int64_t outputs, double density, Generator& gen) {
  SPRIG_CHECK(inputs >= 1 && outputs >= 1, "wann: initial_genome needs inputs and outputs, got ", inputs, ", ", outputs);
  SPRIG_CHECK(density >= 0 && density <= 1, "wann: initial connection density must be in [0, 1], got ", density);
  WannGenome genome{inputs, outputs, {}, {}};
  for (int64_t i = 0; i < inputs; ++i)
    for (int64_t o = 0; o < outputs; ++o)
      if (gen.uniform_double() < density) genome.connections.push_back({i, inputs + o, true});
  if (genome.connections.empty() && density > 0)
    genome.connections.push_back({gen.integer(inputs), inputs + gen.integer(outputs), true});
  return genome;
}

// Sources in random order; the first with a legal target gets a connection to a random one of them.
bool add_connection(WannGenome& genome, Generator& gen) {
  std::vector<int64_t> sources;
  for (int64_t n = 0; n < genome.nodes(); ++n)
    if (!genome.is_output(n)) sources.push_back(n);
  std::set<std::pair<int64_t, int64_t>> present;
  for (const WannConnection& c : genome.connections) present.insert({c.from, c.to});
  for (size_t left = sources.size(); left > 0; --left) {
    std::swap(sources[left - 1], sources[size_t(gen.integer(int64_t(left)))]);
    const int64_t from = sources[left - 1];
    const std::vector<bool> upstream = ancestors(genome, from);  // a connection into one would close a cycle
    std::vector<int64_t> targets;
    for (int64_t to = genome.inputs; to < genome.nodes(); ++to)
      if (!upstream[size_t(to)] && !present.count({from, to})) targets.push_back(to);
    if (targets.empty()) continue;
    genome.connections.push_back({from, targets[size_t(gen.integer(int64_t(targets.size())))], true});
    return true;
  }
  return false;
}

bool add_node(WannGenome& genome, Generator& gen) {
  std::vector<size_t> enabled;
  for (size_t k = 0; k < genome.connections.size(); ++k)
    if (genome.connections[k].enabled) enabled.push_back(k);
  if (enabled.empty()) return false;
  WannConnection& split = genome.connections[enabled[size_t(gen.integer(int64_t(enabled.size())))]];
  split.enabled = false;
  const int64_t node = genome.nodes();
  const WannConnection in{split.from, node, true}, out{node, split.to, true};  // `split` dies with the push
  genome.hidden.push_back(random_activation(gen));
  genome.connections.push_back(in);
  genome.connections.push_back(out);
  return true;
}

bool enable_connection(WannGenome& genome, Generator& gen) {
  std::vector<size_t> disabled;
  for (size_t k = 0; k < genome.connections.size(); ++k)
    if (!genome.connections[k].enabled) disabled.push_back(k);
  if (disabled.empty()) return false;
  genome.connections[disabled[size_t(gen.integer(int64_t(disabled.size())))]].enabled = true;
  return true;
}

bool change_activation(WannGenome& genome, Generator& gen) {
  if (genome.hidden.empty()) return false;
  Activation& a = genome.hidden[size_t(gen.integer(int64_t(genome.hidden.size())))];
  a = Activation((int(a) + 1 + gen.integer(kActivationCount - 1)) % kActivationCount);  // never the same
  return true;
}

void mutate(WannGenome& genome, const WannMutationOptions& options, Generator& gen) {
  const double odds[] = {options.add_connection, options.add_node, options.enable_connection, options.change_activation};
  const double total = odds[0] + odds[1] + odds[2] + odds[3];
  if (!(total > 0)) return;
  double spin = gen.uniform_double() * total;
  int choice = 0;
  while (choice < 3 && spin >= odds[choice]) spin -= odds[choice++];
  switch (choice) {
    case 0: add_connection(genome, gen); break;
    case 1: add_node(genome, gen); break;
    case 2: enable_connection(genome, gen); break;
    default: change_activation(genome, gen); break;
  }
}

}  // namespace sprig::prune
