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

// Everything a run needs to continue: iteration, weights, optimiser state, early-stop point, curve.
struct RunState {
  int64_t iteration = 0;
  Tensor best;                       // weights at the early-stop point so far
  std::vector<Tensor> best_buffers;  // and the model's buffers then (BatchNorm statistics), in named_buffers() order
  RunOutcome outcome;
};

// The early-stop point: the model's weights and buffers, copied aside.
void keep_as_best(RunContext& run, RunState& state) {
  state.best = run.parameters.values().clone();
  state.best_buffers.clear();
  for (auto& [name, buffer] : run.model.named_buffers()) state.best_buffers.push_back(buffer->clone());
}

// Exchanges the model's weights and buffers with the early-stop point's; a second call swaps back.
void swap_with_best(RunContext& run, RunState& state) {
  Tensor& values = run.parameters.values();
  std::swap_ranges(values.data(), values.data() + values.numel(), state.best.data());
  auto buffers = run.model.named_buffers();
  for (size_t i = 0; i < buffers.size(); ++i) {
    Tensor& buffer = *buffers[i].second;
    std::swap_ranges(buffer.data(), buffer.data() + buffer.numel(), state.best_buffers[i].data());
  }
}

Json to_json(const EvalPoint& p) { return Json::array({p.iteration, p.loss, p.accuracy}); }
EvalPoint point_from_json(const Json& j) { return {j.at(0).get<int64_t>(), j.at(1).get<double>(), j.at(2).get<double>()}; }

void save_state(const std::string& path, const std::string& key, RunContext& run, const RunState& state) {
  std::vector<NamedBuffer> buffers{{"values", run.parameters.values()}, {"best", state.best}};
  for (auto& [name, tensor] : run.optimizer.state()) buffers.emplace_back("optimizer/" + name, *tensor);
  const auto model_buffers = run.model.named_buffers();
  for (size_t i = 0; i < model_buffers.size(); ++i) {  // BatchNorm statistics, now and at the early-stop point
    buffers.emplace_back("buffer/" + model_buffers[i].first, *model_buffers[i].second);
    buffers.emplace_back("best_buffer/" + model_buffers[i].first, state.best_buffers[i]);
  }
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
  const auto stored = [&](const std::string& name, int64_t numel) -> const Tensor& {
    const Tensor& tensor = file.tensor(name);  // names the tensors there if it is missing
    SPRIG_CHECK(tensor.numel() == numel, path, ": checkpoint's ", name, " has ", tensor.numel(), " values; expected ",
                numel);
    return tensor;
  };
  const auto restore = [&](const std::string& name, Tensor& into) {
    std::copy_n(stored(name, into.numel()).data(), into.numel(), into.data());
  };
  restore("values", run.parameters.values());
  state.best = stored("best", run.parameters.size()).clone();
  for (auto& [name, tensor] : run.optimizer.state()) restore("optimizer/" + name, *tensor);
  state.best_buffers.clear();
  for (auto& [name, tensor] : run.model.named_buffers()) {
    restore("buffer/" + name, *tensor);
    state.best_buffers.push_back(stored("best_buffer/" + name, tensor->numel()).clone());
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
    keep_as_best(run, state);
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
    if (run.schedule) run.optimizer.set_lr(run.schedule->lr_at(state.iteration));  // late rewinding starts at k
    const optim::StepResult step = optim::train_step(run.model, run.optimizer, batch);
    ++state.iteration;
    if (progress) progress(state.iteration, step.loss);
    if (state.iteration % options.eval_every == 0 || state.iteration == options.iterations) {
      const optim::EpochStats v = optim::evaluate(run.model, run.validation);
      state.outcome.validation.push_back({state.iteration, v.loss, v.accuracy});
      if (v.loss < state.outcome.early_stop.loss) {
        state.outcome.early_stop = state.outcome.validation.back();
        keep_as_best(run, state);
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
  swap_with_best(run, state);
  outcome.test_at_stop = optim::evaluate(run.model, run.test);
  swap_with_best(run, state);  // the final weights again
  outcome.seconds = elapsed();
  if (!checkpoint.empty()) std::filesystem::remove(checkpoint);
  return outcome;
}

}  // namespace sprig::prune
