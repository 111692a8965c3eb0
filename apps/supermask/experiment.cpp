#include "apps/supermask/experiment.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "data/augment.h"
#include "data/fetch.h"

namespace sprig::supermask_app {

namespace {
// `limit` examples drawn at random (image folders list the classes one after another), in dataset order.
Dataset sample(const Dataset& data, int64_t limit, uint64_t seed) {
  if (limit == 0 || limit >= data.size()) return data;
  return split_validation(data, limit, seed).validation;
}
}  // namespace

Data load_data(const AppOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  Data d{sample(load_dataset(o.dataset, "train", o.data), o.train_limit, uint64_t(o.seed)),
         sample(load_dataset(o.dataset, "test", o.data), o.test_limit, uint64_t(o.seed)), nullptr, nullptr};
  const ChannelStats stats = channel_stats(d.train);
  const bool crop_flip = o.augment == "crop_flip" || (o.augment == "auto" && o.dataset == "cifar10");
  d.train_loader =
      std::make_unique<DataLoader>(d.train, LoaderOptions{.batch_size = o.batch,
                                                          .shuffle = true,
                                                          .seed = uint64_t(o.seed),
                                                          .normalize = stats,
                                                          .augment = crop_flip ? random_crop_flip(4) : Augment{}});
  d.test_loader =
      std::make_unique<DataLoader>(d.test, LoaderOptions{.batch_size = 1000, .shuffle = false, .normalize = stats});
  std::printf("data: %lld train and %lld test images of %s (augmentation %s), loaded in %.1f s\n",
              static_cast<long long>(d.train.size()), static_cast<long long>(d.test.size()),
              d.train.example_shape().str().c_str(), crop_flip ? "crop_flip" : "none",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return d;
}

std::string mlp_name(const std::vector<int64_t>& hidden) {
  std::string name = "mlp";
  for (int64_t h : hidden) name.append("_").append(std::to_string(h));
  return name;
}

std::vector<int64_t> mlp_hidden(const std::string& name) {
  const std::string mlp = name == "lenet_300_100" ? "mlp_300_100" : name;
  if (mlp.rfind("mlp_", 0) != 0) return {};
  std::vector<int64_t> hidden;
  for (size_t start = 4; start <= mlp.size();) {
    const size_t end = std::min(mlp.find('_', start), mlp.size());
    const std::string part = mlp.substr(start, end - start);
    SPRIG_CHECK(!part.empty() && part.size() < 10 && part.find_first_not_of("0123456789") == std::string::npos,
                "supermask: model '", name, "' is not of the form mlp_W1_W2_...");
    hidden.push_back(std::stoll(part));
    start = end + 1;
  }
  return hidden;
}

nn::ModelOptions scaled_model(const std::string& name, double width, const Dataset& data) {
  nn::ModelOptions m;
  m.classes = data.num_classes();
  m.input = {data.channels(), data.height(), data.width()};
  m.name = name;
  std::vector<int64_t> hidden = mlp_hidden(name);
  if (hidden.empty()) m.width = width;
  for (int64_t& h : hidden) h = std::max<int64_t>(1, std::llround(double(h) * width));
  if (!hidden.empty()) m.name = mlp_name(hidden);
  return m;
}

optim::Schedule make_schedule(const AppOptions& o, const DataLoader& loader) {
  optim::ScheduleOptions s;
  s.kind = o.schedule;
  s.total_steps = o.epochs * loader.batches_per_epoch();
  return optim::Schedule(s, o.optim.lr);
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

}  // namespace sprig::supermask_app
