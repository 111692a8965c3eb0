#include "prune/lottery.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/safetensors.h"
#include "nn/masked_weight.h"
#include "optim/world.h"
#include "prune/mask_file.h"
#include "prune/rewind.h"
#include "tensor/atomic_file.h"

namespace sprig::prune {

namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;
using Masks = std::map<std::string, Tensor>;

}  // namespace

void check_options(const LotteryOptions& o) {
  check_options(o.pruning);
  SPRIG_CHECK(o.levels >= 0, "lottery: levels must be non-negative but is ", o.levels);
  SPRIG_CHECK(o.trials >= 1, "lottery: trials must be at least 1 but is ", o.trials);
  SPRIG_CHECK(o.batch >= 1, "lottery: batch must be at least 1 but is ", o.batch);
  SPRIG_CHECK(o.run.iterations >= 1 && o.run.eval_every >= 1 && o.run.checkpoint_every >= 0,
              "lottery: iterations (", o.run.iterations, ") and eval_every (", o.run.eval_every,
              ") must be positive, checkpoint_every (", o.run.checkpoint_every, ") non-negative");
  SPRIG_CHECK(o.rewind_iteration >= 0 && o.rewind_iteration < o.run.iterations, "lottery: rewind_iteration ",
              o.rewind_iteration, " must be in [0, iterations = ", o.run.iterations, ")");
  for (const std::string& c : o.controls)
    SPRIG_CHECK(c == "reinit" || c == "random_mask", "lottery: unknown control '", c, "'; expected reinit or random_mask");
  for (double m : o.milestones)
    SPRIG_CHECK(m > 0.0 && m < 1.0, "lottery: milestones are fractions of a run, in (0, 1), but one is ", m);
  SPRIG_CHECK(o.gamma > 0.0 && o.gamma <= 1.0, "lottery: gamma must be in (0, 1] but is ", o.gamma);
}

namespace {

// The rate of every run: constant, or multiplied by gamma at the milestones (counted in iterations
// from 0, so a late-rewound run starting at k sees the rate of iteration k).
optim::ScheduleOptions schedule_options(const LotteryOptions& o) {
  optim::ScheduleOptions s;
  if (o.milestones.empty()) return s;
  s.kind = "multistep";
  for (double m : o.milestones) s.milestones.push_back(std::llround(m * double(o.run.iterations)));
  s.gamma = o.gamma;
  return s;
}

// An independent random stream for each purpose, derived from the experiment's seed.
Generator stream(uint64_t seed, std::initializer_list<uint64_t> path) {
  Generator gen(seed);
  for (uint64_t p : path) gen = gen.split(p);
  return gen;
}
enum Purpose : uint64_t { kInit, kData, kReinit, kRandomMask };

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string percent(double density) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g%%", 100 * density);
  return text;
}

// Per-layer density of the pruned parameters and the density over all of them.
Json density_report(nn::ParameterSet& parameters, const std::map<std::string, double>& pruned) {
  Json layers = Json::object();
  int64_t live = 0, total = 0;
  for (const auto& entry : pruned) {
    const auto& slot = parameters.slot(entry.first);
    layers[entry.first] = parameters.density(slot);
    live += parameters.live_count(slot);
    total += slot.numel;
  }
  return {{"density", total ? double(live) / double(total) : 1.0}, {"layer_density", layers}};
}

std::string csv_row(const Json& run) {
  char text[256];
  std::snprintf(text, sizeof text, "%lld,%lld,%s,%.4f,%lld,%.6f,%.6f,%.6f,%.2f,%zu\n",
                static_cast<long long>(run["trial"].get<int64_t>()), static_cast<long long>(run["level"].get<int64_t>()),
                run["method"].get<std::string>().c_str(), 100 * run["density"].get<double>(),
                static_cast<long long>(run["early_stop_iteration"].get<int64_t>()), run["early_stop_val_loss"].get<double>(),
                run["test_acc_at_stop"].get<double>(), run["test_acc_final"].get<double>(), run["seconds"].get<double>(),
                run["sparse_kernel_layers"].size());
  return text;
}

void write_text(const fs::path& path, const std::string& text) { write_file_atomic(path.string(), {text}); }

// One trial's state: the model, its flat parameters, the optimiser and the snapshot to rewind to.
struct Trial {
  int64_t index;
  nn::ModulePtr model;
  std::unique_ptr<nn::ParameterSet> parameters;
  std::unique_ptr<optim::Optimizer> optimizer;
  Tensor rewind_point;  // θ0, or θk once level 0 has passed iteration k
};

class Experiment {
 public:
  Experiment(const LotteryOptions& options, const LotteryTask& task)
      : o_(options), task_(task), out_(task.out), state_(out_ / "state"),
        validation_(task.validation, {.batch_size = 1000, .shuffle = false, .normalize = task.loader.normalize}),
        test_(task.test, {.batch_size = 1000, .shuffle = false, .normalize = task.loader.normalize}),
        schedule_(schedule_options(options), options.optim.lr),
        runs_(size_t(options.trials), Json::array()) {
    for (int64_t t : task.trials)
      SPRIG_CHECK(t >= 0 && t < o_.trials, "lottery: trial ", t, " to run, but the experiment has ", o_.trials, " (0 to ",
                  o_.trials - 1, ")");
    fs::create_directories(state_);
    const fs::path merged = out_ / "results.json";
    if (fs::exists(merged)) load_runs(merged);  // runs written before trials had files of their own
    load_trial_files();
  }

  Json run() {
    const bool sweep = !task_.trials.empty() || optim::world_size() > 1;
    for (int64_t t : my_trials()) run_trial(t);
    if (!sweep) {
      write_merged();  // also when every run was done already: the merge after a sweep's jobs
      return merged();
    }
    optim::barrier();  // every rank's trials are in their files now
    load_trial_files();
    if (task_.trials.empty() && optim::is_root()) write_merged();
    return merged();
  }

 private:
  // Which trials this process runs: the task's list, this rank's share under mpirun, or all.
  std::vector<int64_t> my_trials() const {
    if (!task_.trials.empty()) return task_.trials;
    std::vector<int64_t> mine;
    for (int64_t t = optim::world_rank(); t < o_.trials; t += optim::world_size()) mine.push_back(t);
    return mine;
  }

  fs::path trial_file(int64_t t) const { return state_ / ("trial" + std::to_string(t) + ".json"); }

  // Adds the runs a results file holds (results.json or a trial's file), checking it is this experiment's.
  void load_runs(const fs::path& path) {
    Json previous;
    try {
      previous = Json::parse(read_file(path));
    } catch (const std::exception& e) {
      throw Error(path.string() + ": cannot resume, not valid JSON (" + e.what() + ")");
    }
    SPRIG_CHECK(previous.contains("config") && previous["config"] == task_.config, path.string(),
                ": holds an experiment with other options; use another output folder or remove it");
    for (const Json& r : previous.at("runs")) {
      const int64_t t = r.at("trial").get<int64_t>();
      SPRIG_CHECK(t >= 0 && t < o_.trials, path.string(), ": a run of trial ", t, " in an experiment of ", o_.trials);
      if (!done(t, r.at("level").get<int64_t>(), r.at("method").get<std::string>())) runs_[size_t(t)].push_back(r);
    }
  }

  void load_trial_files() {
    for (int64_t t = 0; t < o_.trials; ++t)
      if (fs::exists(trial_file(t))) load_runs(trial_file(t));
  }

  // All runs, trial by trial, each trial's in the order they ran: a sequential run's order.
  Json merged() const {
    Json all = {{"config", task_.config}, {"runs", Json::array()}};
    for (const Json& trial_runs : runs_)
      for (const Json& r : trial_runs) all["runs"].push_back(r);
    return all;
  }

  void write_merged() const {
    const Json all = merged();
    std::string csv = "trial,level,method,percent_remaining,early_stop_iteration,early_stop_val_loss,test_acc_at_stop,"
                      "test_acc_final,seconds,csr_layers\n";
    for (const Json& r : all["runs"]) csv += csv_row(r);
    write_text(out_ / "levels.csv", csv);
    write_text(out_ / "results.json", all.dump(1) + "\n");
  }

  bool done(int64_t trial, int64_t level, const std::string& method) const {
    for (const Json& r : runs_[size_t(trial)])
      if (r["level"] == level && r["method"] == method) return true;
    return false;
  }

  void run_trial(int64_t t) {
    Generator init = trial_init_generator(o_.seed, t);
    Trial trial{t, task_.make_model(init), nullptr, nullptr, {}};
    trial.parameters = std::make_unique<nn::ParameterSet>(*trial.model);
    trial.optimizer = optim::make_optimizer(o_.optim, *trial.parameters);
    trial.rewind_point = snapshot(*trial.parameters);
    LoaderOptions loader = task_.loader;
    loader.batch_size = o_.batch;
    loader.shuffle = true;
    loader.seed = stream(uint64_t(o_.seed), {kData, uint64_t(t)}).next_u64();
    DataLoader train(task_.train, loader);

    const fs::path late_rewind = state_ / ("trial" + std::to_string(t) + "_rewind.safetensors");
    Masks masks;  // the ticket's masks at the current level; none at level 0
    for (int64_t level = 0; level <= o_.levels; ++level) {
      if (level > 0) masks = load_masks(ticket_mask_path(task_.out, t, level));
      if (level == 1 && o_.rewind_iteration > 0) trial.rewind_point = load_safetensors(late_rewind.string()).tensor("values").clone();
      if (!done(t, level, "ticket")) {
        RunProgress snapshot_hook;
        if (level == 0 && o_.rewind_iteration > 0)
          snapshot_hook = [&, path = late_rewind.string()](int64_t iteration, double) {
            if (iteration == o_.rewind_iteration) save_safetensors(path, {{"values", trial.parameters->values()}});
          };
        train_unit(trial, train, level, "ticket", masks, trial.rewind_point, snapshot_hook);
        save_masks(ticket_mask_path(task_.out, t, level + 1), magnitude_masks(*trial.parameters, o_.pruning));
        record_last(t);
      }
      if (level == 0) continue;
      for (const std::string& control : o_.controls) {
        if (done(t, level, control)) continue;
        if (control == "reinit") {
          Generator fresh_gen = stream(uint64_t(o_.seed), {kReinit, uint64_t(t), uint64_t(level)});
          nn::ModulePtr fresh = task_.make_model(fresh_gen);
          nn::ParameterSet fresh_parameters(*fresh);
          train_unit(trial, train, level, control, masks, fresh_parameters.values(), {});
        } else {
          Generator mask_gen = stream(uint64_t(o_.seed), {kRandomMask, uint64_t(t), uint64_t(level)});
          train_unit(trial, train, level, control, random_masks_like(masks, mask_gen), trial.rewind_point, {});
        }
        record_last(t);
      }
    }
  }

  // Sets the masks and the starting weights, trains, and appends the run to its trial (not yet saved).
  void train_unit(Trial& trial, DataLoader& train, int64_t level, const std::string& method, const Masks& masks,
                  const Tensor& start, const RunProgress& hook) {
    nn::ParameterSet& parameters = *trial.parameters;
    apply(parameters, masks);
    if (method == "reinit") reinitialize(parameters, start, o_.density_aware_reinit);
    else rewind(parameters, start);
    trial.optimizer->reset_state();
    const Json density = density_report(parameters, pruning_rates(parameters, o_.pruning));
    const int64_t first = level == 0 ? 0 : o_.rewind_iteration;

    const std::string label = "trial " + std::to_string(trial.index + 1) + "/" + std::to_string(o_.trials) + " level " +
                              std::to_string(level) + "/" + std::to_string(o_.levels) + " " + method + " " +
                              percent(density["density"].get<double>());
    RunProgress progress = task_.on_run_start ? task_.on_run_start(label, o_.run.iterations - first) : RunProgress{};
    RunContext context{*trial.model, parameters, *trial.optimizer, &schedule_, train, validation_, test_};
    const std::string key = "trial " + std::to_string(trial.index) + " level " + std::to_string(level) + " " + method;
    const fs::path running = state_ / ("trial" + std::to_string(trial.index) + "_running.safetensors");
    const RunOutcome outcome = train_run(context, o_.run, first, running.string(), key,
                                         [&](int64_t done, double loss) {
                                           if (hook) hook(done, loss);
                                           if (progress) progress(done - first, loss);
                                         });
    Json sparse_layers = Json::array();  // as the last training step ran them
    for (const std::string& name : nn::sparse_kernel_layers(*trial.model)) sparse_layers.push_back(name);
    Json curve = Json::array();
    for (const EvalPoint& p : outcome.validation) curve.push_back({p.iteration, p.loss, p.accuracy});
    runs_[size_t(trial.index)].push_back({{"trial", trial.index},
                                {"level", level},
                                {"method", method},
                                {"density", density["density"]},
                                {"layer_density", density["layer_density"]},
                                {"early_stop_iteration", outcome.early_stop.iteration},
                                {"early_stop_val_loss", outcome.early_stop.loss},
                                {"early_stop_val_acc", outcome.early_stop.accuracy},
                                {"test_acc_at_stop", outcome.test_at_stop.accuracy},
                                {"test_loss_at_stop", outcome.test_at_stop.loss},
                                {"test_acc_final", outcome.test_final.accuracy},
                                {"test_loss_final", outcome.test_final.loss},
                                {"seconds", outcome.seconds},
                                {"sparse_kernel_layers", sparse_layers},
                                {"validation_curve", curve}});
  }

  // Saves the trial's file with the run just appended, and, unless this process runs a sweep's
  // share, results.json and levels.csv.
  void record_last(int64_t t) {
    write_text(trial_file(t), Json{{"config", task_.config}, {"runs", runs_[size_t(t)]}}.dump(1) + "\n");
    if (task_.trials.empty() && optim::world_size() == 1) write_merged();
    if (task_.on_run_done) task_.on_run_done(runs_[size_t(t)].back());
  }

  const LotteryOptions& o_;
  const LotteryTask& task_;
  fs::path out_, state_;
  DataLoader validation_, test_;
  optim::Schedule schedule_;
  std::vector<Json> runs_;  // per trial, in the order they ran
};

}  // namespace

Generator trial_init_generator(int64_t seed, int64_t trial) { return stream(uint64_t(seed), {kInit, uint64_t(trial)}); }

std::string ticket_mask_path(const std::string& out, int64_t trial, int64_t level) {
  return (fs::path(out) / "state" / ("trial" + std::to_string(trial) + "_level" + std::to_string(level) + "_mask.safetensors"))
      .string();
}

Json run_lottery(const LotteryOptions& options, const LotteryTask& task) {
  check_options(options);
  SPRIG_CHECK(task.make_model && task.validation.size() > 0, "lottery: needs a model and a validation set");
  return Experiment(options, task).run();
}

}  // namespace sprig::prune
