#include "optim/train.h"

#include <chrono>

#include "autograd/loss.h"
#include "optim/world.h"
#include "tensor/reduce.h"
#include "tensor/softmax.h"

namespace sprig::optim {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int64_t count_correct(const Tensor& logits, const std::vector<int32_t>& labels) {
  const std::vector<int64_t> predicted = argmax(logits, 1);
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i];
  return correct;
}

// Running totals over an epoch's batches, turned into EpochStats at the end.
struct Tally {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double loss_sum = 0.0;
  int64_t correct = 0, examples = 0;

  void add(double mean_loss, int64_t batch_correct, int64_t batch_size) {
    loss_sum += mean_loss * double(batch_size);
    correct += batch_correct;
    examples += batch_size;
  }
  void sum_over_ranks() {
    double totals[3] = {loss_sum, double(correct), double(examples)};
    allreduce_sum(totals, 3);
    loss_sum = totals[0], correct = int64_t(totals[1]), examples = int64_t(totals[2]);
  }
  EpochStats stats() const {
    EpochStats s;
    s.examples = examples;
    s.loss = examples ? loss_sum / double(examples) : 0.0;
    s.accuracy = examples ? double(correct) / double(examples) : 0.0;
    s.seconds = seconds_since(start);
    return s;
  }
};

}  // namespace

StepResult train_step(nn::Module& model, Optimizer& optimizer, const Batch& batch, DataParallel* parallel) {
  optimizer.zero_grad();
  StepResult result;
  const bool shared = parallel && parallel->active();
  if (shared) parallel->begin_step(batch.global_size ? double(batch.size()) / double(batch.global_size) : 0.0);
  if (batch.size() > 0) {  // a shard of a short last batch may be empty; it still joins the sums
    Variable logits = model(Variable(batch.images));
    Variable loss = cross_entropy(logits, batch.labels);
    loss.backward();
    result = {loss.value().item(), count_correct(logits.value(), batch.labels)};
  }
  if (shared) {
    parallel->end_step();
    double totals[2] = {result.loss * double(batch.size()), double(result.correct)};
    allreduce_sum(totals, 2);
    result = {totals[0] / double(batch.global_size), int64_t(totals[1])};
  }
  optimizer.step();
  return result;
}

EpochStats train_epoch(nn::Module& model, Optimizer& optimizer, DataLoader& loader, int64_t epoch,
                       const Schedule* schedule, const StepCallback& on_step, DataParallel* parallel) {
  Tally tally;
  model.train();
  Batch batch;
  loader.start_epoch(epoch);
  while (loader.next(batch)) {
    if (schedule) optimizer.set_lr(schedule->lr_at(optimizer.steps()));
    const StepResult result = train_step(model, optimizer, batch, parallel);
    tally.add(result.loss, result.correct, parallel && parallel->active() ? batch.global_size : batch.size());
    if (on_step) on_step(optimizer.steps() - 1, result);
  }
  return tally.stats();
}

EpochStats evaluate(nn::Module& model, DataLoader& loader) {
  Tally tally;
  const bool was_training = model.training();
  model.eval();
  NoGradGuard no_grad;
  Batch batch;
  loader.start_epoch(0);
  while (loader.next(batch)) {
    if (batch.size() == 0) continue;  // a shard of a short last batch
    const Tensor logits = model(Variable(batch.images)).value();
    tally.add(cross_entropy(logits, batch.labels), count_correct(logits, batch.labels), batch.size());
  }
  if (loader.options().shards > 1) tally.sum_over_ranks();
  model.train(was_training);
  return tally.stats();
}

}  // namespace sprig::optim
