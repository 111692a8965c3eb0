// Malach et al. (2020): a random network of twice a target's depth, wide enough, contains a
// subnetwork that approximates the target. Train a small target briefly, then at each width fit the
// target's logits by edge-popup on a random network (weights never trained) and measure the error.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "apps/common/files.h"
#include "apps/common/progress.h"
#include "apps/common/svg_plot.h"
#include "apps/supermask/experiment.h"
#include "nn/parameter_set.h"
#include "optim/adam.h"
#include "optim/train.h"
#include "prune/supermask.h"

namespace sprig::supermask_app {

namespace {

using Json = cli::Json;

Json fit_json(const prune::FitStats& f) {
  return {{"loss", f.loss}, {"mse", f.mse}, {"accuracy", f.accuracy}, {"agreement", f.agreement}};
}

// The target, trained with Adam 1e-3 on the labels.
nn::ModulePtr train_target(const AppOptions& o, Data& data, optim::EpochStats& tested) {
  Generator gen(uint64_t(o.seed) + 1);
  nn::ModulePtr target = nn::make_model(scaled_model(o.target, 1.0, data.train), gen);
  nn::ParameterSet parameters(*target);
  optim::Adam adam(parameters, {.lr = 1e-3});
  for (int64_t epoch = 0; epoch < o.target_epochs; ++epoch) {
    cli::ProgressBar bar(data.train_loader->batches_per_epoch(), "target epoch " + std::to_string(epoch + 1));
    int64_t done = 0;
    optim::train_epoch(*target, adam, *data.train_loader, epoch, nullptr,
                       [&](int64_t, const optim::StepResult&) { bar.update(++done); });
  }
  tested = optim::evaluate(*target, *data.test_loader);
  std::printf("target %s: test acc %.2f%% after %lld epochs\n", o.target.c_str(), 100 * tested.accuracy,
              static_cast<long long>(o.target_epochs));
  return target;
}

// Twice the target's depth: 2L layers for the target's L, every hidden width `width` times its widest.
nn::ModelOptions student_model(const AppOptions& o, double width, const Dataset& data) {
  const std::vector<int64_t> hidden = mlp_hidden(o.target);
  SPRIG_CHECK(!hidden.empty(), "supermask: --target must be an MLP (mlp_W1_...), got '", o.target, "'");
  const int64_t widest = *std::max_element(hidden.begin(), hidden.end());
  const int64_t layers = 2 * (int64_t(hidden.size()) + 1);
  nn::ModelOptions student = scaled_model(o.target, 1.0, data);
  student.name =
      mlp_name(std::vector<int64_t>(size_t(layers - 1), std::max<int64_t>(1, std::llround(width * double(widest)))));
  return student;
}

Json fit_width(const AppOptions& o, Data& data, nn::Module& target, double width, std::string& csv) {
  const nn::ModelOptions model_options = student_model(o, width, data.train);
  Generator gen(uint64_t(o.seed));
  nn::Supermask student(nn::make_model(model_options, gen), o.supermask, gen);
  nn::ParameterSet scores(student);
  auto optimizer = optim::make_optimizer(o.optim, scores);
  const optim::Schedule schedule = make_schedule(o, *data.train_loader);
  std::printf("\nwidth x%s: %s, %s\n", number(width).c_str(), model_options.name.c_str(), student.describe().c_str());
  const auto start = std::chrono::steady_clock::now();
  const prune::FitStats initial = prune::evaluate_fit(student, target, *data.test_loader, o.objective);
  prune::FitStats tested = initial;
  for (int64_t epoch = 0; epoch < o.epochs; ++epoch) {
    prune::fit_epoch(student, target, *optimizer, *data.train_loader, epoch, o.objective, &schedule);
    tested = prune::evaluate_fit(student, target, *data.test_loader, o.objective);
    std::printf("epoch %lld: test %s %.4g, logit mse %.4g, acc %.2f%%, agrees with the target on %.2f%%\n",
                static_cast<long long>(epoch + 1), o.objective.c_str(), tested.loss, tested.mse, 100 * tested.accuracy,
                100 * tested.agreement);
    std::fflush(stdout);
  }
  int64_t weights = 0;
  for (const auto& s : student.scored()) weights += s.weight->value().numel();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  csv += number(width) + "," + model_options.name + "," + std::to_string(weights) + "," + number(initial.mse) + "," +
         number(tested.loss) + "," + number(tested.mse) + "," + number(tested.accuracy) + "," +
         number(tested.agreement) + "," + number(seconds) + "\n";
  return {{"width", width},           {"model", model_options.name},
          {"weights", weights},       {"at_init", fit_json(initial)},
          {"test", fit_json(tested)}, {"seconds", seconds}};
}

std::string malach_svg(const Json& runs, double target_accuracy, const AppOptions& o) {
  cli::PlotSeries error{"test logit MSE", "#d62728", {}}, accuracy{"student", "#1f77b4", {}},
      target{"target " + o.target, "#7f7f7f", {}};
  for (const Json& r : runs) {
    const double w = r["width"], mse = r["test"]["mse"], acc = 100 * r["test"]["accuracy"].get<double>();
    error.points.push_back({w, mse, mse, mse});
    accuracy.points.push_back({w, acc, acc, acc});
    target.points.push_back({w, 100 * target_accuracy, 100 * target_accuracy, 100 * target_accuracy});
  }
  const std::string x_label = "student width (x target's)";
  return cli::svg_panels({{.title = "approximation error against width",
                           .x_label = x_label,
                           .y_label = "MSE between logits",
                           .log_x = true,
                           .series = {error}},
                          {.title = "test accuracy against width",
                           .x_label = x_label,
                           .y_label = "test accuracy (%)",
                           .log_x = true,
                           .series = {accuracy, target}}});
}

}  // namespace

int run_malach(const AppOptions& o, const std::filesystem::path& out) {
  prune::check_objective(o.objective);
  Data data = load_data(o);
  optim::EpochStats target_test;
  nn::ModulePtr target = train_target(o, data, target_test);
  Json runs = Json::array();
  std::string csv = "width,student,weights,mse_at_init,test_objective,test_mse,test_acc,agreement,seconds\n";
  for (double width : o.widths) {
    runs.push_back(fit_width(o, data, *target, width, csv));
    const Json results = {
        {"config", cli::to_json(o)},
        {"target", {{"model", o.target}, {"test_acc", target_test.accuracy}, {"test_loss", target_test.loss}}},
        {"runs", runs}};
    cli::write_text_atomic(out / "results.json", results.dump(1) + "\n");
    cli::write_text_atomic(out / "malach.csv", csv);
    cli::write_text_atomic(out / "error_vs_width.svg", malach_svg(runs, target_test.accuracy, o));
  }
  std::printf("\ntarget %s: test acc %.2f%%\nwidth  student                     logit MSE  acc      agreement\n",
              o.target.c_str(), 100 * target_test.accuracy);
  for (const Json& r : runs)
    std::printf("x%-5s %-27s %9.4g  %6.2f%%  %6.2f%%\n", number(r["width"]).c_str(),
                r["model"].get<std::string>().c_str(), r["test"]["mse"].get<double>(),
                100 * r["test"]["accuracy"].get<double>(), 100 * r["test"]["agreement"].get<double>());
  std::cout << "Written: " << (out / "results.json").string() << ", malach.csv, error_vs_width.svg\n";
  return 0;
}

}  // namespace sprig::supermask_app
