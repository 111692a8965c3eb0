// train: one model from the zoo on MNIST, Fashion-MNIST or CIFAR-10, with the metrics, the effective
// configuration and the final checkpoint written to --out.
//
//   train --model lenet_300_100 --epochs 10 --optimizer adam --lr 1.2e-3 --batch 60 --out runs/lenet
//   train --dataset cifar10 --data ../shared/data --model mlp_100 --epochs 1 --optimizer sgd --lr 0.05
//   mpirun -np 2 train --threads 1 ...   # data-parallel: each rank takes half of every batch of --batch
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "apps/common/files.h"
#include "apps/common/options.h"
#include "apps/common/progress.h"
#include "data/augment.h"
#include "data/fetch.h"
#include "data/safetensors.h"
#include "data/loader.h"
#include "nn/parameter_set.h"
#include "nn/summary.h"
#include "nn/zoo.h"
#include "optim/adam.h"
#include "optim/checkpoint.h"
#include "optim/sgd.h"
#include "optim/train.h"
#include "tensor/runtime.h"

namespace {

using namespace sprig;
using cli::Json;

struct TrainOptions {
  static constexpr const char* description = "Trains a model from the zoo on MNIST, Fashion-MNIST or CIFAR-10.";
  std::string model = "lenet_300_100";
  std::string init = "torch_default";
  std::string dataset = "mnist";
  std::string data;
  std::string augment = "auto";
  bool prefetch = false;
  int64_t validation = 0;
  int64_t epochs = 10;
  int64_t batch = 60;
  std::string optimizer = "adam";
  double lr = 1.2e-3;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;
  std::string schedule = "constant";
  std::vector<int64_t> milestones;
  double gamma = 0.1;
  int64_t warmup_epochs = 0;
  int64_t seed = 1;
  int64_t threads = 2;
  std::string out = "runs/train";

  template <class V>
  void visit(V& v) {
    v("model", model, "model from the zoo: lenet_300_100, lenet5, mlp_W1_W2_...");
    v("init", init, "weight initialiser",
      cli::Choices{"torch_default", "kaiming_normal", "kaiming_uniform", "glorot_normal", "glorot_uniform"});
    v("dataset", dataset, "dataset name", cli::Choices{"mnist", "fashion_mnist", "cifar10"});
    v("data", data, "folder with the dataset's files (default: the per-user cache, fetched if missing)");
    v("augment", augment,
      "training-image augmentation: crop_flip (random crop with 4-pixel zero padding, horizontal flip), none, or "
      "auto (crop_flip for cifar10, none for the MNIST sets)",
      cli::Choices{"auto", "none", "crop_flip"});
    v("prefetch", prefetch, "prepare the next training batch on a background thread while the model computes");
    v("validation", validation, "training images held out for validation", cli::Range{0, 59999});
    v("epochs", epochs, "passes over the training set", cli::Range{1, 1e6});
    v("batch", batch, "examples per step (the global batch: under mpirun each rank takes its share)", cli::Range{1, 1e6});
    v("optimizer", optimizer, "update rule", cli::Choices{"sgd", "adam", "adamw"});
    v("lr", lr, "learning rate", cli::Range{0, 1e3});
    v("momentum", momentum, "SGD momentum", cli::Range{0, 1});
    v("nesterov", nesterov, "SGD: Nesterov momentum");
    v("weight_decay", weight_decay, "weight decay (L2; decoupled for adamw)", cli::Range{0, 1});
    v("schedule", schedule, "learning-rate schedule over the run", cli::Choices{"constant", "multistep", "cosine"});
    v("milestones", milestones, "multistep: epochs after which the rate is multiplied by gamma", cli::Range{1, 1e6});
    v("gamma", gamma, "multistep factor", cli::Range{0, 1});
    v("warmup_epochs", warmup_epochs, "linear warm-up epochs", cli::Range{0, 1e6});
    v("seed", seed, "seed of initialisation, shuffling and dropout", cli::Range{0, 9.2e18});
    v("threads", threads, "threads for OpenMP and OpenBLAS (per rank under mpirun)", cli::Range{1, 1024});
    v("out", out,
      "output folder: config.json, metrics.csv, steps.csv, timing.csv, model.safetensors, state.safetensors (to "
      "resume); under mpirun rank 0 writes them");
  }
};

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainOptions& o, nn::ParameterSet& parameters) {
  if (o.optimizer == "sgd") return std::make_unique<optim::Sgd>(parameters, optim::SgdOptions{o.lr, o.momentum, 0.0, o.nesterov, o.weight_decay});
  optim::AdamOptions adam;
  adam.lr = o.lr;
  adam.weight_decay = o.weight_decay;
  adam.decoupled = o.optimizer == "adamw";
  return std::make_unique<optim::Adam>(parameters, adam);
}

// The augmentation --augment names; auto is the usual practice: crop and flip CIFAR-10, leave MNIST as it is.
Augment make_augment(const TrainOptions& o) {
  const bool crop_flip = o.augment == "crop_flip" || (o.augment == "auto" && o.dataset == "cifar10");
  std::cout << "augmentation: " << (crop_flip ? "crop_flip" : "none") << "\n";
  return crop_flip ? random_crop_flip(4) : Augment{};
}

optim::Schedule make_schedule(const TrainOptions& o, int64_t steps_per_epoch) {
  optim::ScheduleOptions s;
  s.kind = o.schedule;
  for (int64_t epoch : o.milestones) s.milestones.push_back(epoch * steps_per_epoch);
  s.gamma = o.gamma;
  s.total_steps = o.epochs * steps_per_epoch;
  s.warmup_steps = o.warmup_epochs * steps_per_epoch;
  return optim::Schedule(s, o.lr);
}

std::string csv_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// steps.csv keeps every digit of a float: runs are compared step by step (e.g. 1 rank against 2).
std::string loss_digits(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

// A run stopped after some epochs continues from out/state.safetensors (saved after every epoch) when
// its options are the same; returns the epochs already done and restores their metrics rows.
int64_t resume(const std::string& state, const TrainOptions& o, nn::Module& model, nn::ParameterSet& parameters,
               optim::Optimizer& optimizer, std::string& metrics, std::string& steps, std::string& timing) {
  if (!std::filesystem::exists(state)) return 0;
  const auto& metadata = load_safetensors(state).metadata;
  const auto config = metadata.find("sprig.config");
  if (config == metadata.end() || config->second != cli::to_json(o).dump())
    throw cli::UsageError(state + " belongs to a run with other options; choose another --out or remove it to start over");
  const optim::TrainingProgress progress = optim::load_checkpoint(state, model, parameters, &optimizer);
  try {
    const Json notes = Json::parse(progress.notes);
    metrics = notes.at("metrics").get<std::string>();
    steps = notes.at("steps").get<std::string>();
    timing = notes.at("timing").get<std::string>();
  } catch (const Json::exception& e) {
    throw Error(state + ": unreadable metrics in the checkpoint: " + e.what());
  }
  if (optim::is_root()) std::cout << "resuming after epoch " << progress.epoch << " from " << state << "\n";
  return progress.epoch;
}

// Rank 0 writes every file; under mpirun the other ranks compute and stay quiet.
void write_root(const std::filesystem::path& path, const std::string& text) {
  if (optim::is_root()) cli::write_text_atomic(path, text);
}

int train(const TrainOptions& o) {
  const int rank = optim::world_rank(), ranks = optim::world_size();
  if (o.batch < ranks) throw cli::UsageError("--batch " + std::to_string(o.batch) + " is smaller than the " + std::to_string(ranks) + " ranks");
  const std::filesystem::path out = o.out;
  if (optim::is_root()) cli::prepare_output_dir(o.out);
  optim::barrier();  // the folder exists before any rank looks for a checkpoint in it
  write_root(out / "config.json", cli::to_json(o).dump(2) + "\n");
  set_num_threads(int(o.threads));
  print_blas_info(std::cout);
  if (ranks > 1) std::cout << "data-parallel over " << ranks << " ranks, " << o.threads << " thread(s) each\n";

  const auto load_start = std::chrono::steady_clock::now();
  const Dataset full_train = load_dataset(o.dataset, "train", o.data);
  const Dataset test = load_dataset(o.dataset, "test", o.data);
  std::cout << "data: " << full_train.size() << " train and " << test.size() << " test images of "
            << full_train.example_shape() << ", loaded in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count() << " s\n";
  const TrainValidation split = split_validation(full_train, o.validation, uint64_t(o.seed));
  const ChannelStats stats = channel_stats(split.train);
  DataLoader train_loader(split.train, {.batch_size = o.batch, .shuffle = true, .seed = uint64_t(o.seed), .normalize = stats,
                                        .augment = make_augment(o), .prefetch = o.prefetch, .shard = rank, .shards = ranks});
  const LoaderOptions eval_options{.batch_size = 1000, .shuffle = false, .normalize = stats, .shard = rank, .shards = ranks};
  DataLoader test_loader(test, eval_options);
  std::unique_ptr<DataLoader> validation_loader;
  if (o.validation > 0) validation_loader = std::make_unique<DataLoader>(split.validation, eval_options);

  Generator gen(uint64_t(o.seed));
  nn::ModelOptions model_options;
  model_options.name = o.model;
  model_options.init = o.init;
  model_options.classes = full_train.num_classes();
  model_options.input = {full_train.channels(), full_train.height(), full_train.width()};
  nn::ModulePtr model = nn::make_model(model_options, gen);
  nn::ParameterSet parameters(*model);
  std::cout << nn::summarize(*model, full_train.example_shape()).table();
  std::unique_ptr<optim::Optimizer> optimizer = make_optimizer(o, parameters);
  const optim::Schedule schedule = make_schedule(o, train_loader.batches_per_epoch());

  std::string metrics = "epoch,lr,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc\n";
  std::string steps = "step,loss\n";
  std::string timing = "epoch,train_seconds,train_images_per_second,communication_seconds,eval_seconds\n";
  const std::string state = (out / "state.safetensors").string();
  const int64_t first_epoch = resume(state, o, *model, parameters, *optimizer, metrics, steps, timing);
  optim::DataParallel parallel(*model, parameters);  // starts every rank from rank 0's weights
  for (int64_t epoch = first_epoch; epoch < o.epochs; ++epoch) {
    std::unique_ptr<cli::ProgressBar> bar;
    if (optim::is_root())
      bar = std::make_unique<cli::ProgressBar>(train_loader.batches_per_epoch(), "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs));
    int64_t done = 0;
    const double lr = schedule.lr_at(optimizer->steps());
    const double communication_before = parallel.communication_seconds();
    const optim::EpochStats trained = optim::train_epoch(
        *model, *optimizer, train_loader, epoch, &schedule,
        [&](int64_t step, const optim::StepResult& result) {
          steps += std::to_string(step + 1) + "," + loss_digits(result.loss) + "\n";
          if (bar) bar->update(++done, "loss " + csv_number(result.loss));
        },
        &parallel);
    const double communication = parallel.communication_seconds() - communication_before;
    parallel.broadcast_state();  // BatchNorm statistics: rank 0's, which saw its shard only
    const optim::EpochStats validated = validation_loader ? optim::evaluate(*model, *validation_loader) : optim::EpochStats{};
    const optim::EpochStats tested = optim::evaluate(*model, test_loader);
    bar.reset();
    std::cout << "epoch " << epoch + 1 << ": train loss " << csv_number(trained.loss) << " acc "
              << csv_number(100 * trained.accuracy) << "% | test loss " << csv_number(tested.loss) << " acc "
              << csv_number(100 * tested.accuracy) << "% | " << std::llround(double(trained.examples) / trained.seconds)
              << " img/s" << (ranks > 1 ? ", " + csv_number(communication) + " s waiting for gradients" : "")
              << std::endl;
    metrics += std::to_string(epoch + 1) + "," + csv_number(lr) + "," + csv_number(trained.loss) + "," +
               csv_number(trained.accuracy) + "," + (validation_loader ? csv_number(validated.loss) : "") + "," +
               (validation_loader ? csv_number(validated.accuracy) : "") + "," + csv_number(tested.loss) + "," +
               csv_number(tested.accuracy) + "\n";
    timing += std::to_string(epoch + 1) + "," + csv_number(trained.seconds) + "," +
              csv_number(double(trained.examples) / trained.seconds) + "," + csv_number(communication) + "," +
              csv_number(validated.seconds + tested.seconds) + "\n";
    write_root(out / "metrics.csv", metrics);
    write_root(out / "steps.csv", steps);
    write_root(out / "timing.csv", timing);
    const Json notes = {{"metrics", metrics}, {"steps", steps}, {"timing", timing}};
    if (optim::is_root())
      optim::save_checkpoint(state, *model, parameters, optimizer.get(),
                             {epoch + 1, optimizer->steps(), gen.state(), cli::to_json(o).dump(), notes.dump()});
  }
  if (optim::is_root())
    optim::save_checkpoint(out / "model.safetensors", *model, parameters, optimizer.get(),
                           {o.epochs, optimizer->steps(), gen.state(), cli::to_json(o).dump(), ""});
  std::cout << "wrote " << out.string() << "/{config.json, metrics.csv, steps.csv, timing.csv, model.safetensors}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return sprig::cli::run_app<TrainOptions>(argc, argv, train); }
