#include "prune/supermask.h"

#include <algorithm>

#include "autograd/arithmetic.h"
#include "autograd/loss.h"
#include "autograd/reduce.h"
#include "autograd/unary.h"
#include "prune/magnitude.h"
#include "tensor/elementwise.h"
#include "tensor/reduce.h"
#include "tensor/softmax.h"

namespace sprig::prune {

void apply_supermask(const nn::Supermask& supermask, nn::ParameterSet& model_parameters) {
  prune::apply(model_parameters, supermask.masks());
}

void check_objective(const std::string& objective) {
  SPRIG_CHECK(objective == "mse" || objective == "kl", "distillation: objective must be mse or kl, not '", objective,
              "'");
}

Variable distillation_loss(const Variable& student_logits, const Tensor& target_logits, const std::string& objective) {
  check_objective(objective);
  SPRIG_CHECK(student_logits.dim() == 2 && student_logits.shape() == target_logits.shape(),
              "distillation_loss: student logits ", student_logits.shape(), " but target ", target_logits.shape());
  if (objective == "mse") {
    const Variable diff = student_logits - Variable(target_logits);
    return mean(diff * diff);
  }
  const Tensor target_log_p = log_softmax(target_logits);
  const Variable p(exp(target_log_p));
  // KL(p || q) = sum p (log p - log q), averaged over rows.
  const Variable per_entry = p * (Variable(target_log_p) - log_softmax(student_logits));
  return mul(sum(per_entry), 1.0f / float(student_logits.shape()[0]));
}

namespace {

// Running sums over batches.
struct FitTally {
  FitStats sums;
  void add(const Tensor& student, const Tensor& target, const std::vector<int32_t>& labels, double loss) {
    const auto n = int64_t(labels.size());
    const std::vector<int64_t> s = argmax(student, 1), t = argmax(target, 1);
    double squared = 0;
    for (int64_t i = 0; i < student.numel(); ++i) {
      const double d = double(student.data()[i]) - double(target.data()[i]);
      squared += d * d;
    }
    sums.loss += loss * double(n);
    sums.mse += squared / double(student.size(1));
    for (int64_t i = 0; i < n; ++i) {
      sums.accuracy += s[size_t(i)] == labels[size_t(i)];
      sums.agreement += s[size_t(i)] == t[size_t(i)];
    }
    sums.examples += n;
  }
  FitStats stats() const {
    FitStats f = sums;
    const double n = double(std::max<int64_t>(1, f.examples));
    f.loss /= n, f.mse /= n, f.accuracy /= n, f.agreement /= n;
    return f;
  }
};

Tensor target_logits(nn::Module& target, const Tensor& images) {
  NoGradGuard no_grad;
  target.eval();
  return target(Variable(images)).value();
}

}  // namespace

FitStats fit_epoch(nn::Module& student, nn::Module& target, optim::Optimizer& optimizer, DataLoader& loader,
                   int64_t epoch, const std::string& objective, const optim::Schedule* schedule) {
  check_objective(objective);
  student.train();
  FitTally tally;
  Batch batch;
  loader.start_epoch(epoch);
  while (loader.next(batch)) {
    if (schedule) optimizer.set_lr(schedule->lr_at(optimizer.steps()));
    const Tensor goal = target_logits(target, batch.images);
    optimizer.zero_grad();
    const Variable logits = student(Variable(batch.images));
    Variable loss = distillation_loss(logits, goal, objective);
    loss.backward();
    optimizer.step();
    tally.add(logits.value(), goal, batch.labels, loss.value().item());
  }
  return tally.stats();
}

FitStats evaluate_fit(nn::Module& student, nn::Module& target, DataLoader& loader, const std::string& objective) {
  check_objective(objective);
  const bool was_training = student.training();
  student.eval();
  NoGradGuard no_grad;
  FitTally tally;
  Batch batch;
  loader.start_epoch(0);
  while (loader.next(batch)) {
    const Tensor goal = target_logits(target, batch.images);
    const Variable logits = student(Variable(batch.images));
    tally.add(logits.value(), goal, batch.labels, distillation_loss(logits, goal, objective).value().item());
  }
  student.train(was_training);
  return tally.stats();
}

}  // namespace sprig::prune
