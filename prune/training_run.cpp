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
  state.best_buffers.clear();
  for (auto& [name, tensor] : run.model.named_buffers()) {
    for (const std::string& stored : {"buffer/" + name, "best_buffer/" + name})
      SPRIG_CHECK(file.contains(stored) && file.tensor(stored).numel() == tensor->numel(), path, ": ", stored,
                  " is missing or has ", file.contains(stored) ? file.tensor(stored).numel() : 0, " values; expected ",
                  tensor->numel());
    std::copy_n(file.tensor("buffer/" + name).data(), tensor->numel(), tensor->data());
    state.best_buffers.push_back(file.tensor("best_buffer/" + name).clone());
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
