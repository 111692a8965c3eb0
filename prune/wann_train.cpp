#include "prune/wann_train.h"

#include "autograd/arithmetic.h"
#include "autograd/matmul.h"
#include "autograd/shape.h"
#include "data/loader.h"
#include "optim/adam.h"
#include "tensor/csr.h"

namespace sprig::prune {

Variable wann_activate(const Variable& z, const std::vector<Activation>& activations) {
  SPRIG_CHECK(z.dim() == 2 && z.shape()[0] == int64_t(activations.size()), "wann_activate: expected [",
              activations.size(), ", B], got ", z.shape());
  const int64_t rows = z.shape()[0], B = z.shape()[1];
  Tensor y = Tensor::empty(z.shape());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < B; ++b) y.data()[r * B + b] = activate(activations[size_t(r)], z.value().data()[r * B + b]);
  return Variable(y, {z}, [activations, rows, B](const Tensor& gy, std::vector<Variable>& in) {
    if (!in[0].requires_grad()) return;
    Tensor dz = Tensor::empty(gy.shape());
    const float* x = in[0].value().data();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t b = 0; b < B; ++b)
        dz.data()[r * B + b] = gy.data()[r * B + b] * activation_derivative(activations[size_t(r)], x[r * B + b]);
    in[0].add_grad(dz);
  });
}

// The layer's connections as a dense 0/1 matrix over [inputs, earlier rows].
static Tensor layer_pattern(const WannLayer& layer, int64_t inputs) {
  Tensor pattern = Tensor::zeros({layer.size(), inputs + layer.first_row});
  for (int64_t r = 0; r < layer.size(); ++r) {
    float* row = pattern.data() + r * pattern.size(1);
    for (int64_t k = layer.from_inputs.row_ptr[r]; k < layer.from_inputs.row_ptr[r + 1]; ++k)
      row[layer.from_inputs.col_idx[k]] = 1.0f;
    for (int64_t k = layer.from_rows.row_ptr[r]; k < layer.from_rows.row_ptr[r + 1]; ++k)
      row[inputs + layer.from_rows.col_idx[k]] = 1.0f;
  }
  return pattern;
}

WannModel::WannModel(const WannNet& net, Weights weights, float initial) : net_(net), weights_(weights) {
  for (const WannLayer& layer : net_.layers) patterns_.push_back(layer_pattern(layer, net_.inputs));
  if (weights_ == Weights::shared) {
    shared_ = &register_parameter("weight", Tensor::full({1}, initial), false);
    return;
  }
  for (size_t l = 0; l < patterns_.size(); ++l) {
    Tensor w = patterns_[l].clone();
    for (int64_t i = 0; i < w.numel(); ++i) w.data()[i] *= initial;
    layer_weights_.push_back(&register_parameter("layer" + std::to_string(l), w, true));
  }
}

void WannModel::set_masks(nn::ParameterSet& parameters) {
  for (size_t l = 0; l < layer_weights_.size(); ++l) parameters.set_mask("layer" + std::to_string(l), patterns_[l]);
}

float WannModel::shared_weight() const {
  SPRIG_CHECK(shared_, "WannModel: shared_weight() of a model with individual weights");
  return shared_->value().data()[0];
}

std::string WannModel::describe() const {
  return std::to_string(net_.inputs) + " inputs, " + std::to_string(net_.rows) + " nodes in " +
         std::to_string(net_.layers.size()) + " layers, " + std::to_string(net_.connections) + " connections, " +
         (shared_ ? "one shared weight" : "a weight each");
}

Variable WannModel::forward(const Variable& images) {
  const int64_t B = images.shape()[0];
  const Variable x = flatten(images, 1);
  SPRIG_CHECK(x.shape()[1] + 1 == net_.inputs, "WannModel: expected ", net_.inputs - 1, " values per example (plus the "
              "bias), got ", images.shape());
  Variable values = concat({transpose(x), Variable(Tensor::ones({1, B}))});  // [inputs, B], node-major
  Variable h;
  for (size_t l = 0; l < net_.layers.size(); ++l) {
    const Variable w = shared_ ? mul(Variable(patterns_[l]), shared_->variable) : layer_weights_[l]->variable;
    h = wann_activate(matmul(w, values), net_.layers[l].activations);
    if (l + 1 < net_.layers.size()) values = concat({values, h});
  }
  return transpose(h);  // the last layer is the outputs
}

optim::EpochStats train_wann(WannModel& model, const Dataset& train, const WannTrainOptions& options, uint64_t seed) {
  nn::ParameterSet parameters(model);
  model.set_masks(parameters);
  optim::AdamOptions adam;
  adam.lr = options.lr;
  optim::Adam optimizer(parameters, adam);
  DataLoader loader(train, {.batch_size = options.batch, .shuffle = true, .seed = seed});
  optim::EpochStats stats;
  model.train();
  for (int64_t epoch = 0; epoch < options.epochs; ++epoch) stats = optim::train_epoch(model, optimizer, loader, epoch);
  return stats;
}

optim::EpochStats evaluate_wann(WannModel& model, const Dataset& data) {
  DataLoader loader(data, {.batch_size = 1000, .shuffle = false});
  return optim::evaluate(model, loader);
}

}  // namespace sprig::prune
