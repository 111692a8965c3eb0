#pragma once
// A WANN genome compiled for batch evaluation: nodes grouped into layers by depth, each layer a
// sparse 0/1 matrix of the connections into it, so a forward pass is one sparse product per layer
// over the whole batch rather than a walk node by node.
//
// Rows: the network's non-input nodes, hidden ones by (depth, id), then the outputs in order (the
// last layer). A node's depth is 1 + the largest depth among the hidden nodes feeding it (inputs
// have depth 0), so a layer reads only rows of earlier layers. Hidden nodes with no enabled path to
// an output cannot change the result and are left out. A layer's matrix comes in two parts, from
// the inputs and from earlier rows: the inputs are the same for every shared weight, so their
// product is computed once and scaled per weight (z = w * (S_in x + S_rows h_w)).
#include <cstdint>
#include <vector>

#include "prune/wann_genome.h"
#include "tensor/csr.h"

namespace sprig::prune {

struct WannLayer {
  int64_t first_row = 0;                // rows [first_row, first_row + size) of the network
  std::vector<int64_t> nodes;           // genome ids, one per row
  std::vector<Activation> activations;  // one per row; outputs are linear
  Csr from_inputs;                      // [size, inputs], values 1
  Csr from_rows;                        // [size, first_row], values 1
  int64_t size() const { return int64_t(nodes.size()); }
};

struct WannNet {
  int64_t inputs = 0, outputs = 0;
  int64_t rows = 0;         // computed nodes: live hidden + outputs; the outputs are the last `outputs`
  int64_t connections = 0;  // enabled connections that reach an output (the ones computed)
  std::vector<WannLayer> layers;
  int64_t widest_layer() const;
};

// Validates the genome first (throws naming the problem).
WannNet compile(const WannGenome& genome);

}  // namespace sprig::prune
