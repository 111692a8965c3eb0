#include "optim/train.h"

#include <chrono>

#include "autograd/loss.h"
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

StepResult train_step(nn::Module& model, Optimizer& optimizer, const Batch& batch) {
  optimizer.zero_grad();
  Variable logits = model(Variable(batch.images));
  Variable loss = cross_entropy(logits, batch.labels);
  loss.backward();
  optimizer.step();
  return {loss.value().item(), count_correct(logits.value(), batch.labels)};
}

EpochStats train_epoch(nn::Module& model, Optimizer& optimizer, DataLoader& loader, int64_t epoch,
                       const Schedule* schedule, const StepCallback& on_step) {
  Tally tally;
  model.train();
  Batch batch;
  loader.start_epoch(epoch);
  while (loader.next(batch)) {
    if (schedule) optimizer.set_lr(schedule->lr_at(optimizer.steps()));
    const StepResult result = train_step(model, optimizer, batch);
    tally.add(result.loss, result.correct, batch.size());
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
    const Tensor logits = model(Variable(batch.images)).value();
    tally.add(cross_entropy(logits, batch.labels), count_correct(logits, batch.labels), batch.size());
  }
  model.train(was_training);
  return tally.stats();
}

}  // namespace sprig::optim
