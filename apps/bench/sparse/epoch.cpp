#include "epoch.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

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

using Masks = std::map<std::string, Tensor>;

// One-shot magnitude pruning of the trained weights to the paper's 15th round of 20% (hidden
// layers) and 10% (output) pruning: each weight matrix keeps its largest-magnitude entries, 3.6%
// of the weights in all. (A lottery ticket's mask; random masks of the same densities run about
// 10% slower on CSR: every input pixel keeps some weights, so the kernels touch all of x.)
Masks magnitude_masks(nn::ParameterSet& set) {
  Masks masks;
  for (const auto& slot : set.slots()) {
    if (!slot.parameter->prunable) continue;
    const Tensor& w = slot.parameter->value();
    const double density = std::pow(slot.name == "5.weight" ? 0.9 : 0.8, 15);
    std::vector<float> magnitude(size_t(w.numel()));
    for (int64_t i = 0; i < w.numel(); ++i) magnitude[size_t(i)] = std::abs(w.data()[i]);
    const size_t keep = size_t(std::llround(density * double(w.numel())));
    std::vector<float> sorted = magnitude;
    std::nth_element(sorted.begin(), sorted.end() - keep, sorted.end());
    const float threshold = sorted[sorted.size() - keep];
    Tensor mask = Tensor::empty(w.shape());
    for (int64_t i = 0; i < w.numel(); ++i) mask.data()[i] = magnitude[size_t(i)] >= threshold ? 1.0f : 0.0f;
    masks[slot.name] = mask;
  }
  return masks;
}

struct Epoch {
  cli::Json result;
  Masks masks;  // of the trained weights (from the dense run)
};

// One epoch from the seed's initialisation (the ticket's rewind point), pruned by `masks` if any.
Epoch one_epoch(const std::string& name, const Dataset& train, const Dataset& test, int64_t seed, const Masks& masks) {
  Generator gen{uint64_t(seed)};
  nn::ModulePtr model = lenet(name == "dense_masked" ? "dense" : "auto", gen);
  nn::ParameterSet set(*model);
  for (const auto& [slot, mask] : masks) set.set_mask(slot, mask);
  optim::Adam adam(set, {.lr = 1.2e-3});
  const ChannelStats stats = channel_stats(train);
  DataLoader train_loader(train, {.batch_size = 60, .shuffle = true, .seed = uint64_t(seed), .normalize = stats});
  DataLoader test_loader(test, {.batch_size = 1000, .shuffle = false, .normalize = stats});
  const optim::EpochStats trained = optim::train_epoch(*model, adam, train_loader, 0);
  const optim::EpochStats tested = optim::evaluate(*model, test_loader);
  int64_t live = 0, total = 0;
  for (const auto& slot : set.slots())
    if (slot.parameter->prunable) live += set.live_count(slot), total += slot.numel;
  cli::Json result = {{"run", name},
                      {"density", double(live) / double(total)},
                      {"csr_kernels", !nn::sparse_kernel_layers(*model).empty()},
                      {"live_optimizer_loop", adam.last_step_live()},
                      {"train_seconds", trained.seconds},
                      {"test_seconds", tested.seconds},
                      {"epoch_seconds", trained.seconds + tested.seconds},
                      {"test_accuracy", tested.accuracy}};
  return {result, masks.empty() ? magnitude_masks(set) : masks};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// The repeats of one run folded into one row: median times (each repeat starts from the same
// initialisation, so the accuracy is the same every time) and every epoch time measured.
cli::Json median_row(const std::vector<cli::Json>& repeats) {
  cli::Json row = repeats.front();
  for (const char* key : {"train_seconds", "test_seconds", "epoch_seconds"}) {
    std::vector<double> times;
    for (const cli::Json& r : repeats) times.push_back(r[key].get<double>());
    row[key] = median(times);
    if (std::string(key) == "epoch_seconds") row["epoch_seconds_each"] = times;
  }
  std::printf("%-13s density %6.2f%%  train %6.2f s  test %5.2f s  epoch %6.2f s  test accuracy %.2f%%%s\n",
              row["run"].get<std::string>().c_str(), 100 * row["density"].get<double>(),
              row["train_seconds"].get<double>(), row["test_seconds"].get<double>(),
              row["epoch_seconds"].get<double>(), 100 * row["test_accuracy"].get<double>(),
              row["csr_kernels"].get<bool>() ? "  (CSR kernels)" : "");
  return row;
}

}  // namespace

cli::Json compare_epochs(const std::string& data_dir, int64_t seed, int64_t repeats) {
  SPRIG_CHECK(repeats >= 1, "compare_epochs: repeats must be at least 1, got ", repeats);
  const Dataset train = load_dataset("mnist", "train", data_dir), test = load_dataset("mnist", "test", data_dir);
  const char* names[] = {"dense", "dense_masked", "sparse"};
  std::vector<cli::Json> measured[3];
  Masks masks;
  // Interleaved, so a slow spell of a shared host falls on all three runs alike.
  for (int64_t r = 0; r < repeats; ++r)
    for (int run = 0; run < 3; ++run) {
      const Epoch epoch = one_epoch(names[run], train, test, seed, run == 0 ? Masks{} : masks);
      if (run == 0) masks = epoch.masks;  // the same every repeat
      measured[run].push_back(epoch.result);
    }
  cli::Json runs = cli::Json::array();
  for (const auto& repeats_of_run : measured) runs.push_back(median_row(repeats_of_run));
  const double speedup = runs[0]["epoch_seconds"].get<double>() / runs[2]["epoch_seconds"].get<double>();
  const double gap = 100 * (runs[2]["test_accuracy"].get<double>() - runs[1]["test_accuracy"].get<double>());
  std::printf("sparse epoch %.2fx faster than dense (medians of %lld); test accuracy sparse - dense_masked = %+.2f points\n",
              speedup, (long long)repeats, gap);
  return {{"runs", runs}, {"repeats", repeats}, {"speedup_vs_dense", speedup}, {"accuracy_gap_points", gap}};
}

}  // namespace sprig::bench
