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
  const auto start = std::chrono::steady_clock::now();
  model.train();
  EpochStats stats;
  double loss_sum = 0.0;
  int64_t correct = 0;
  Batch batch;
  loader.start_epoch(epoch);
  while (loader.next(batch)) {
    if (schedule) optimizer.set_lr(schedule->lr_at(optimizer.steps()));
    const StepResult result = train_step(model, optimizer, batch);
    loss_sum += result.loss * double(batch.size());
    correct += result.correct;
    stats.examples += batch.size();
    if (on_step) on_step(optimizer.steps() - 1, result);
  }
  stats.loss = stats.examples ? loss_sum / double(stats.examples) : 0.0;
  stats.accuracy = stats.examples ? double(correct) / double(stats.examples) : 0.0;
  stats.seconds = seconds_since(start);
  return stats;
}

EpochStats evaluate(nn::Module& model, DataLoader& loader) {
  const auto start = std::chrono::steady_clock::now();
  const bool was_training = model.training();
  model.eval();
  NoGradGuard no_grad;
  EpochStats stats;
  double loss_sum = 0.0;
  int64_t correct = 0;
  Batch batch;
  loader.start_epoch(0);
  while (loader.next(batch)) {
    const Tensor logits = model(Variable(batch.images)).value();
    loss_sum += double(cross_entropy(logits, batch.labels)) * double(batch.size());
    correct += count_correct(logits, batch.labels);
    stats.examples += batch.size();
  }
  model.train(was_training);
  stats.loss = stats.examples ? loss_sum / double(stats.examples) : 0.0;
  stats.accuracy = stats.examples ? double(correct) / double(stats.examples) : 0.0;
  stats.seconds = seconds_since(start);
  return stats;
}

}  // namespace sprig::optim
