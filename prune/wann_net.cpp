#include "prune/wann_net.h"

#include <algorithm>

namespace sprig::prune {

namespace {

// A 0/1 CSR [rows, cols] from each row's column list.
Csr pattern(std::vector<std::vector<int32_t>>& columns, int64_t cols) {
  Csr a;
  a.rows = int64_t(columns.size());
  a.cols = cols;
  for (std::vector<int32_t>& row : columns) {
    std::sort(row.begin(), row.end());
    a.col_idx.insert(a.col_idx.end(), row.begin(), row.end());
    a.row_ptr.push_back(a.nnz());
  }
  a.values.assign(size_t(a.nnz()), 1.0f);
  return a;
}

// Nodes with an enabled path to an output (outputs included; inputs never count).
std::vector<bool> live_nodes(const WannGenome& genome) {
  std::vector<std::vector<int64_t>> into(size_t(genome.nodes()));
  for (const WannConnection& c : genome.connections)
    if (c.enabled) into[size_t(c.to)].push_back(c.from);
  std::vector<bool> live(size_t(genome.nodes()), false);
  std::vector<int64_t> stack;
  for (int64_t o = genome.inputs; o < genome.first_hidden(); ++o) live[size_t(o)] = true, stack.push_back(o);
  while (!stack.empty()) {
    const int64_t node = stack.back();
    stack.pop_back();
    for (int64_t from : into[size_t(node)])
      if (!genome.is_input(from) && !live[size_t(from)]) live[size_t(from)] = true, stack.push_back(from);
  }
  return live;
}

// Depth of each live hidden node (0 for the others), by relaxing in a topological order of the
// enabled connections (Kahn's algorithm; validate() has ruled out cycles).
std::vector<int64_t> hidden_depths(const WannGenome& genome, const std::vector<bool>& live) {
  const size_t n = size_t(genome.nodes());
  std::vector<std::vector<int64_t>> out(n);
  std::vector<int64_t> pending(n, 0), depth(n, 0), ready;
  for (const WannConnection& c : genome.connections)
    if (c.enabled) out[size_t(c.from)].push_back(c.to), ++pending[size_t(c.to)];
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push_back(int64_t(i));
  while (!ready.empty()) {
    const int64_t node = ready.back();
    ready.pop_back();
    const bool hidden = node >= genome.first_hidden() && live[size_t(node)];
    if (hidden) depth[size_t(node)] = std::max<int64_t>(depth[size_t(node)], 1);
    for (int64_t to : out[size_t(node)]) {
      if (hidden) depth[size_t(to)] = std::max(depth[size_t(to)], depth[size_t(node)] + 1);
      if (--pending[size_t(to)] == 0) ready.push_back(to);
    }
  }
  return depth;
}

}  // namespace

int64_t WannNet::widest_layer() const {
  int64_t widest = 0;
  for (const WannLayer& layer : layers) widest = std::max(widest, layer.size());
  return widest;
}

WannNet compile(const WannGenome& genome) {
  genome.validate();
  const std::vector<bool> live = live_nodes(genome);
  const std::vector<int64_t> depth = hidden_depths(genome, live);

  // Rows: live hidden nodes by (depth, id), then the outputs; layer boundaries where depth changes.
  std::vector<int64_t> order;
  for (int64_t id = genome.first_hidden(); id < genome.nodes(); ++id)
    if (live[size_t(id)]) order.push_back(id);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return depth[size_t(a)] < depth[size_t(b)]; });
  const int64_t deepest = order.empty() ? 0 : depth[size_t(order.back())];
  std::vector<int64_t> layer_of(size_t(genome.nodes()), deepest);  // outputs: one past the deepest hidden layer
  for (int64_t id : order) layer_of[size_t(id)] = depth[size_t(id)] - 1;
  for (int64_t o = genome.inputs; o < genome.first_hidden(); ++o) order.push_back(o);

  WannNet net;
  net.inputs = genome.inputs;
  net.outputs = genome.outputs;
  net.rows = int64_t(order.size());
  std::vector<int64_t> row_of(size_t(genome.nodes()), -1);
  for (int64_t r = 0; r < net.rows; ++r) {
    const int64_t id = order[size_t(r)];
    row_of[size_t(id)] = r;
    if (net.layers.empty() || layer_of[size_t(id)] != layer_of[size_t(net.layers.back().nodes.front())]) {
      net.layers.emplace_back();
      net.layers.back().first_row = r;
    }
    net.layers.back().nodes.push_back(id);
    net.layers.back().activations.push_back(genome.is_output(id) ? Activation::linear
                                                                 : genome.hidden[size_t(id - genome.first_hidden())]);
  }

  // Each layer's incoming connections, split by where they come from.
  for (WannLayer& layer : net.layers) {
    std::vector<std::vector<int32_t>> from_inputs(size_t(layer.size())), from_rows(size_t(layer.size()));
    for (const WannConnection& c : genome.connections) {
      const int64_t row = row_of[size_t(c.to)] - layer.first_row;
      if (!c.enabled || row_of[size_t(c.to)] < 0 || row < 0 || row >= layer.size()) continue;
      if (genome.is_input(c.from))
        from_inputs[size_t(row)].push_back(int32_t(c.from));
      else
        from_rows[size_t(row)].push_back(int32_t(row_of[size_t(c.from)]));
      ++net.connections;
    }
    layer.from_inputs = pattern(from_inputs, net.inputs);
    layer.from_rows = pattern(from_rows, layer.first_row);
  }
  return net;
}

}  // namespace sprig::prune
