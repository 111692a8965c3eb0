#pragma once
// The lottery-ticket experiment (Frankle & Carbin 2019) for any model: per trial, level 0 trains the
// dense network; every later level prunes the previous level's trained weights by magnitude, rewinds
// the survivors to θ0 (or θk) and trains again. At each pruned level the controls train once:
//   reinit       the ticket's mask, freshly drawn random weights
//   random_mask  the ticket's per-layer densities, mask positions drawn at random, weights θ0 (θk)
//
// Layers switch to CSR kernels by themselves once their density falls below the break-even point
// (nn/masked_weight.h), so later levels train faster; each run records which layers did.
//
// Everything it finishes lands in `out` at once (each trial's runs in state/trial<t>.json, masks
// and snapshots under state/, a checkpoint of each trial's run in progress, and results.json and
// levels.csv merged from the trials), so running the same experiment again continues from the last
// finished run and the last checkpoint within the current one, with the same results, bit for bit,
// as an uninterrupted run with the same seed and thread count.
//
// Trials can run apart (a sweep): as jobs of their own (task.trials, e.g. one per Slurm array task)
// or on the ranks of one mpirun. A job writes its trial's file only; the ranks merge at the end;
// after separate jobs, the same command once more without a trial list finds every run done and
// writes results.json, identical to a sequential run's (timings aside).
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/loader.h"
#include "nn/module.h"
#include "optim/factory.h"
#include "prune/magnitude.h"
#include "prune/training_run.h"

namespace sprig::prune {

struct LotteryOptions {
  int64_t levels = 15;                // pruned levels after the dense level 0
  int64_t trials = 1;                 // independent repetitions with seeds derived from `seed`
  std::vector<std::string> controls = {"reinit", "random_mask"};
  int64_t rewind_iteration = 0;       // 0: rewind to θ0; k > 0: to the weights after k iterations (late rewinding)
  bool density_aware_reinit = false;  // reinit: scale by 1/sqrt(density) (fan-in over surviving weights)
  PruningOptions pruning;
  RunOptions run;
  optim::OptimizerOptions optim = {.optimizer = "adam", .lr = 1.2e-3};
  std::vector<double> milestones;  // fractions of a run's iterations after which the rate is multiplied by gamma
  double gamma = 0.1;
  int64_t batch = 60;
  int64_t seed = 1;

  // Flat keys: the pruning and run options sit beside the others in a config file.
  template <class V>
  void visit(V& v) {
    v("levels", levels, "pruned levels after the dense level 0");
    v("trials", trials, "repetitions, each with its own initialisation and data order");
    v("controls", controls, "controls trained at every pruned level: reinit, random_mask");
    v("rewind_iteration", rewind_iteration, "rewind survivors to the weights after this many iterations (0: θ0)");
    v("density_aware_reinit", density_aware_reinit, "reinit control: scale by 1/sqrt(density)");
    pruning.visit(v);
    v("iterations", run.iterations, "training iterations per level");
    v("eval_every", run.eval_every, "iterations between validation passes");
    v("checkpoint_every", run.checkpoint_every, "iterations between checkpoints of the run in progress (0: never)");
    optim.visit(v);
    v("milestones", milestones,
      "fractions of every run's iterations, in (0, 1), after which the rate is multiplied by gamma (none: constant)");
    v("gamma", gamma, "rate factor at each milestone, in (0, 1]");
    v("batch", batch, "examples per iteration");
    v("seed", seed, "seed of initialisations, data order and random controls");
  }
};

// What the runner needs from an app besides the options.
struct LotteryTask {
  std::function<nn::ModulePtr(Generator&)> make_model;  // the architecture, initialised from the generator
  Dataset train, validation, test;
  LoaderOptions loader;       // normalisation, augmentation, prefetch (batch size and seed are the runner's)
  std::string out;            // folder for results.json, levels.csv and state/
  nlohmann::ordered_json config;  // the app's effective options; a resumed run must have the same
  // Called when a run starts, with a label ("trial 1/2 level 3/15 ticket 51.2%") and its length;
  // the returned function sees every iteration.
  std::function<RunProgress(const std::string& label, int64_t iterations)> on_run_start;
  std::function<void(const nlohmann::ordered_json& run)> on_run_done;  // one entry of results.json "runs"
  // A sweep's share (trials are independent): the trials this process runs, empty for all. Under
  // mpirun with more than one rank and no list, rank r takes trials r, r + ranks, ...
  std::vector<int64_t> trials;
};

// Throws naming the first bad option; apps call it before loading data.
void check_options(const LotteryOptions& options);

// Runs (or continues) the experiment; returns the contents of results.json.
nlohmann::ordered_json run_lottery(const LotteryOptions& options, const LotteryTask& task);

// The generator a trial's θ0 is drawn from (task.make_model(gen)), so tools can rebuild θ0 from the seed.
Generator trial_init_generator(int64_t seed, int64_t trial);

// Path of a trial's ticket mask at a level (level >= 1) under task.out, as the runner saves it.
std::string ticket_mask_path(const std::string& out, int64_t trial, int64_t level);

}  // namespace sprig::prune
