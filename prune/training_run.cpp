#include "prune/training_run.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "data/safetensors.h"

namespace sprig::prune {

namespace {

using Json = nlohmann::json;

// Everything a run needs to continue: iteration, weights, optimiser state, best weights, curve.
struct RunState {
  int64_t iteration = 0;
  Tensor best;  // weights at the early-stop point so far
  RunOutcome outcome;
};

Json to_json(const EvalPoint& p) { return Json::array({p.iteration, p.loss, p.accuracy}); }
EvalPoint point_from_json(const Json& j) { return {j.at(0).get<int64_t>(), j.at(1).get<double>(), j.at(2).get<double>()}; }

void save_state(const std::string& path, const std::string& key, RunContext& run, const RunState& state) {
  std::vector<NamedBuffer> buffers{{"values", run.parameters.values()}, {"best", state.best}};
  for (auto& [name, tensor] : run.optimizer.state()) buffers.emplace_back("optimizer/" + name, *tensor);
  for (auto& [name, tensor] : run.model.named_buffers()) buffers.emplace_back("buffer/" + name, *tensor);  // BatchNorm statistics
  Json curve = Json::array();
  for (const EvalPoint& p : state.outcome.validation) curve.push_back(to_json(p));
  save_safetensors(path, buffers,
                   {{"sprig.run_key", key},
                    {"sprig.iteration", std::to_string(state.iteration)},
                    {"sprig.optimizer_steps", std::to_string(run.optimizer.steps())},
                    {"sprig.seconds", Json(state.outcome.seconds).dump()},
                    {"sprig.early_stop", to_json(state.outcome.early_stop).dump()},
                    {"sprig.curve", curve.dump()}});
}

// The saved state if `path` holds this run's checkpoint; false if there is none or it is another run's.
bool load_state(const std::string& path, const std::string& key, RunContext& run, RunState& state) {
  if (path.empty() || !std::filesystem::exists(path)) return false;
  const SafetensorsFile file = load_safetensors(path);
  const auto meta = [&](const char* name) -> const std::string& {
    const auto it = file.metadata.find(name);
    SPRIG_CHECK(it != file.metadata.end(), path, ": run checkpoint lacks metadata ", name);
    return it->second;
  };
  if (meta("sprig.run_key") != key) return false;
  const Tensor& values = file.tensor("values");
  SPRIG_CHECK(values.numel() == run.parameters.size(), path, ": checkpoint holds ", values.numel(),
              " values but the model has ", run.parameters.size());
  std::copy_n(values.data(), values.numel(), run.parameters.values().data());
  state.best = file.tensor("best").clone();
  for (auto& [name, tensor] : run.optimizer.state()) {
    const Tensor& saved = file.tensor("optimizer/" + name);
    SPRIG_CHECK(saved.numel() == tensor->numel(), path, ": optimizer state ", name, " has ", saved.numel(),
                " values, expected ", tensor->numel());
    std::copy_n(saved.data(), saved.numel(), tensor->data());
  }
  for (auto& [name, tensor] : run.model.named_buffers()) {
    const Tensor& saved = file.tensor("buffer/" + name);
    SPRIG_CHECK(saved.numel() == tensor->numel(), path, ": buffer ", name, " has ", saved.numel(), " values, expected ",
                tensor->numel());
    std::copy_n(saved.data(), saved.numel(), tensor->data());
  }
  try {
    state.iteration = std::stoll(meta("sprig.iteration"));
    run.optimizer.set_steps(std::stoll(meta("sprig.optimizer_steps")));
    state.outcome.seconds = Json::parse(meta("sprig.seconds")).get<double>();
    state.outcome.early_stop = point_from_json(Json::parse(meta("sprig.early_stop")));
    for (const Json& p : Json::parse(meta("sprig.curve"))) state.outcome.validation.push_back(point_from_json(p));
  } catch (const std::exception& e) {
    throw Error(path + ": unreadable run checkpoint metadata: " + e.what());
  }
  return true;
}

void copy_values(const Tensor& from, Tensor& to) { std::copy_n(from.data(), from.numel(), to.data()); }

}  // namespace

RunOutcome train_run(RunContext& run, const RunOptions& options, int64_t first_iteration,
                     const std::string& checkpoint, const std::string& key, const RunProgress& progress) {
  SPRIG_CHECK(options.iterations > 0 && options.eval_every > 0, "train_run: iterations (", options.iterations,
              ") and eval_every (", options.eval_every, ") must be positive");
  SPRIG_CHECK(first_iteration >= 0 && first_iteration < options.iterations, "train_run: first iteration ",
              first_iteration, " outside [0, ", options.iterations, ")");
  RunState state;
  if (!load_state(checkpoint, key, run, state)) {
    state.iteration = first_iteration;
    state.best = run.parameters.values().clone();
    state.outcome.early_stop = {first_iteration, std::numeric_limits<double>::infinity(), 0.0};
  }
  const auto start = std::chrono::steady_clock::now();
  const double seconds_before = state.outcome.seconds;
  const auto elapsed = [&] {
    return seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  const int64_t per_epoch = run.train.batches_per_epoch();
  run.train.start_epoch(state.iteration / per_epoch, state.iteration % per_epoch);
  run.model.train();
  Batch batch;
  while (state.iteration < options.iterations) {
    if (!run.train.next(batch)) {  // epoch over: the next one starts at this iteration
      run.train.start_epoch(state.iteration / per_epoch);
      continue;
    }
    if (run.schedule) run.optimizer.set_lr(run.schedule->lr_at(run.optimizer.steps()));
    const optim::StepResult step = optim::train_step(run.model, run.optimizer, batch);
    ++state.iteration;
    if (progress) progress(state.iteration, step.loss);
    if (state.iteration % options.eval_every == 0 || state.iteration == options.iterations) {
      const optim::EpochStats v = optim::evaluate(run.model, run.validation);
      state.outcome.validation.push_back({state.iteration, v.loss, v.accuracy});
      if (v.loss < state.outcome.early_stop.loss) {
        state.outcome.early_stop = state.outcome.validation.back();
        copy_values(run.parameters.values(), state.best);
      }
    }
    if (!checkpoint.empty() && options.checkpoint_every > 0 && state.iteration % options.checkpoint_every == 0 &&
        state.iteration < options.iterations) {
      state.outcome.seconds = elapsed();
      save_state(checkpoint, key, run, state);
    }
  }

  RunOutcome& outcome = state.outcome;
  outcome.test_final = optim::evaluate(run.model, run.test);
  const Tensor final_values = run.parameters.values().clone();
  copy_values(state.best, run.parameters.values());
  outcome.test_at_stop = optim::evaluate(run.model, run.test);
  copy_values(final_values, run.parameters.values());
  outcome.seconds = elapsed();
  if (!checkpoint.empty()) std::filesystem::remove(checkpoint);
  return outcome;
}

}  // namespace sprig::prune
