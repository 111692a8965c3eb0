#include "epoch.h"

#include <cmath>
#include <cstdio>

#include "apps/common/layers.h"
#include "data/fetch.h"
#include "nn/masked_weight.h"
#include "nn/parameter_set.h"
#include "optim/adam.h"
#include "optim/train.h"

namespace sprig::bench {

namespace {

// LeNet-300-100 from layer specs, so every Linear gets the kernel asked for.
nn::ModulePtr lenet(const std::string& kernel, Generator& gen) {
  cli::Json specs = cli::Json::array();
  specs.push_back({{"type", "flatten"}});
  const int64_t widths[] = {784, 300, 100, 10};
  for (int i = 0; i < 3; ++i) {
    specs.push_back({{"type", "linear"}, {"in_features", widths[i]}, {"out_features", widths[i + 1]}, {"kernel", kernel}});
    if (i < 2) specs.push_back({{"type", "activation"}});
  }
  return cli::make_sequential(specs, gen);
}

// Masks at the paper's 15th round of 20% (hidden) and 10% (output) pruning: 3.6% of the weights.
void prune_like_round_15(nn::ParameterSet& set, uint64_t seed) {
  Generator gen(seed);
  for (const auto& slot : set.slots()) {
    if (!slot.parameter->prunable) continue;
    const double density = std::pow(slot.name == "5.weight" ? 0.9 : 0.8, 15);
    Tensor mask = Tensor::empty(slot.parameter->value().shape());
    for (int64_t i = 0; i < mask.numel(); ++i) mask.data()[i] = gen.uniform_double() < density ? 1.0f : 0.0f;
    set.set_mask(slot.name, mask);
  }
}

cli::Json one_epoch(const std::string& name, const Dataset& train, const Dataset& test, int64_t seed) {
  Generator gen{uint64_t(seed)};
  nn::ModulePtr model = lenet(name == "dense_masked" ? "dense" : "auto", gen);
  nn::ParameterSet set(*model);
  if (name != "dense") prune_like_round_15(set, uint64_t(seed) + 1);
  optim::Adam adam(set, {.lr = 1.2e-3});
  const ChannelStats stats = channel_stats(train);
  DataLoader train_loader(train, {.batch_size = 60, .shuffle = true, .seed = uint64_t(seed), .normalize = stats});
  DataLoader test_loader(test, {.batch_size = 1000, .shuffle = false, .normalize = stats});
  const optim::EpochStats trained = optim::train_epoch(*model, adam, train_loader, 0);
  const optim::EpochStats tested = optim::evaluate(*model, test_loader);
  int64_t live = 0, total = 0;
  for (const auto& slot : set.slots())
    if (slot.parameter->prunable) live += set.live_count(slot), total += slot.numel;
  const bool sparse_kernels = !nn::sparse_kernel_layers(*model).empty();
  std::printf("%-13s density %6.2f%%  train %6.2f s  test %5.2f s  epoch %6.2f s  test accuracy %.2f%%%s\n",
              name.c_str(), 100.0 * double(live) / double(total), trained.seconds, tested.seconds,
              trained.seconds + tested.seconds, 100 * tested.accuracy, sparse_kernels ? "  (CSR kernels)" : "");
  std::fflush(stdout);
  return {{"run", name},
          {"density", double(live) / double(total)},
          {"csr_kernels", sparse_kernels},
          {"live_optimizer_loop", adam.last_step_live()},
          {"train_seconds", trained.seconds},
          {"test_seconds", tested.seconds},
          {"epoch_seconds", trained.seconds + tested.seconds},
          {"test_accuracy", tested.accuracy}};
}

}  // namespace

cli::Json compare_epochs(const std::string& data_dir, int64_t seed) {
  const Dataset train = load_dataset("mnist", "train", data_dir), test = load_dataset("mnist", "test", data_dir);
  cli::Json runs = cli::Json::array();
  for (const char* name : {"dense", "dense_masked", "sparse"}) runs.push_back(one_epoch(name, train, test, seed));
  const double speedup = runs[0]["epoch_seconds"].get<double>() / runs[2]["epoch_seconds"].get<double>();
  const double gap = 100 * (runs[2]["test_accuracy"].get<double>() - runs[1]["test_accuracy"].get<double>());
  std::printf("sparse epoch %.2fx faster than dense; test accuracy sparse - dense_masked = %+.2f points\n", speedup,
              gap);
  return {{"runs", runs}, {"speedup_vs_dense", speedup}, {"accuracy_gap_points", gap}};
}

}  // namespace sprig::bench
