#include "prune/epoch_run.h"

#include <chrono>
#include <cmath>
#include <filesystem>

#include "data/safetensors.h"
#include "optim/checkpoint.h"
#include "optim/schedule.h"
#include "optim/train.h"

namespace sprig::prune {

namespace {

using Json = nlohmann::json;

EpochRecord record_from_json(const Json& j) {
  EpochRecord r;
  r.epoch = j.at("epoch").get<int64_t>();
  r.lr = j.at("lr").get<double>();
  r.train_loss = j.at("train_loss").get<double>();
  r.train_accuracy = j.at("train_accuracy").get<double>();
  r.test_loss = j.at("test_loss").get<double>();
  r.test_accuracy = j.at("test_accuracy").get<double>();
  r.seconds = j.at("seconds").get<double>();
  r.extra = j.value("extra", Json());
  return r;
}

optim::Schedule make_schedule(const EpochRunOptions& o, int64_t steps_per_epoch) {
  optim::ScheduleOptions s;
  s.kind = o.milestones.empty() ? "constant" : "multistep";
  for (double fraction : o.milestones) {
    SPRIG_CHECK(fraction > 0.0 && fraction < 1.0, "train_epochs: milestones are fractions of the run in (0, 1), got ",
                fraction);
    s.milestones.push_back(std::llround(fraction * double(o.epochs)) * steps_per_epoch);
  }
  s.gamma = o.gamma;
  return optim::Schedule(s, o.optimizer.lr);
}

// The records of a finished part of this run, or none if `path` holds nothing or another run's state
// (which is then left alone: the run starts afresh and overwrites it at its first epoch).
std::vector<EpochRecord> resume(const std::string& path, const std::string& key, EpochRunContext& run,
                                optim::Optimizer& optimizer) {
  if (path.empty() || !std::filesystem::exists(path)) return {};
  Json notes;
  try {
    const auto& metadata = load_safetensors(path).metadata;
    const auto it = metadata.find("sprig.notes");
    notes = Json::parse(it == metadata.end() ? "{}" : it->second);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": unreadable epoch-run notes: " + e.what());
  }
  if (notes.value("key", "") != key) return {};
  const optim::TrainingProgress progress = optim::load_checkpoint(path, run.model, run.parameters, &optimizer);
  std::vector<EpochRecord> records;
  try {
    for (const Json& r : notes.at("records")) records.push_back(record_from_json(r));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": unreadable epoch records: " + e.what());
  }
  SPRIG_CHECK(int64_t(records.size()) == progress.epoch, path, ": ", records.size(), " epoch records for ",
              progress.epoch, " epochs");
  return records;
}

}  // namespace

Json to_json(const EpochRecord& r) {
  return {{"epoch", r.epoch},         {"lr", r.lr},
          {"train_loss", r.train_loss}, {"train_accuracy", r.train_accuracy},
          {"test_loss", r.test_loss},   {"test_accuracy", r.test_accuracy},
          {"seconds", r.seconds},       {"extra", r.extra}};
}

std::vector<EpochRecord> train_epochs(EpochRunContext& run, const EpochRunOptions& options, const std::string& checkpoint,
                                      const std::string& key, const EpochEnd& on_epoch_end,
                                      const EpochProgress& progress) {
  SPRIG_CHECK(options.epochs > 0, "train_epochs: epochs must be positive, got ", options.epochs);
  std::unique_ptr<optim::Optimizer> optimizer = optim::make_optimizer(options.optimizer, run.parameters);
  for (const auto& term : run.gradient_terms) optimizer->add_gradient_term(term);
  const optim::Schedule schedule = make_schedule(options, run.train.batches_per_epoch());
  std::vector<EpochRecord> records = resume(checkpoint, key, run, *optimizer);

  for (int64_t epoch = int64_t(records.size()); epoch < options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    EpochRecord r;
    r.epoch = epoch + 1;
    r.lr = schedule.lr_at(optimizer->steps());
    int64_t step = 0;
    const optim::EpochStats trained = optim::train_epoch(run.model, *optimizer, run.train, epoch, &schedule,
        [&](int64_t, const optim::StepResult& s) { if (progress) progress(epoch, ++step, s.loss); });
    const optim::EpochStats tested = optim::evaluate(run.model, run.test);
    r.train_loss = trained.loss, r.train_accuracy = trained.accuracy;
    r.test_loss = tested.loss, r.test_accuracy = tested.accuracy;
    if (on_epoch_end) r.extra = on_epoch_end(epoch + 1, records);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    records.push_back(r);
    if (checkpoint.empty()) continue;
    Json notes = {{"key", key}, {"records", Json::array()}};
    for (const EpochRecord& done : records) notes["records"].push_back(to_json(done));
    optim::save_checkpoint(checkpoint, run.model, run.parameters, optimizer.get(),
                           {epoch + 1, optimizer->steps(), {}, "", notes.dump()});
  }
  return records;
}

}  // namespace sprig::prune
