// Edge-popup for classification: at each width, train the scores of a random network, then set the
// learnt masks on the model itself and evaluate it again through the ordinary masked layers.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "apps/common/files.h"
#include "apps/common/progress.h"
#include "apps/common/svg_plot.h"
#include "apps/supermask/experiment.h"
#include "nn/masked_weight.h"
#include "nn/parameter_set.h"
#include "optim/train.h"
#include "prune/supermask.h"
#include "tensor/elementwise.h"

namespace sprig::supermask_app {

namespace {

using Json = cli::Json;

// The logits of `model` on the first test batch.
Tensor first_batch_logits(nn::Module& model, DataLoader& test) {
  NoGradGuard no_grad;
  Batch batch;
  test.start_epoch(0);
  test.next(batch);
  const bool was_training = model.training();
  model.eval();
  Tensor logits = model(Variable(batch.images)).value();
  model.train(was_training);
  return logits;
}

Json train_width(const AppOptions& o, Data& data, double width, std::string& epochs_csv) {
  const nn::ModelOptions model_options = scaled_model(o.model, width, data.train);
  Generator gen(uint64_t(o.seed));
  nn::Supermask net(nn::make_model(model_options, gen), o.supermask, gen);
  nn::ParameterSet scores(net);
  auto optimizer = optim::make_optimizer(o.optim, scores);
  const optim::Schedule schedule = make_schedule(o, *data.train_loader);
  const auto start = std::chrono::steady_clock::now();
  std::printf("\nwidth x%s: %s, %s\n", number(width).c_str(), model_options.name.c_str(), net.describe().c_str());
  Json curve = Json::array();
  optim::EpochStats tested;
  for (int64_t epoch = 0; epoch < o.epochs; ++epoch) {
    cli::ProgressBar bar(data.train_loader->batches_per_epoch(),
                         "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs));
    int64_t done = 0;
    const optim::EpochStats trained = optim::train_epoch(
        net, *optimizer, *data.train_loader, epoch, &schedule,
        [&](int64_t, const optim::StepResult& step) { bar.update(++done, "loss " + number(step.loss)); });
    tested = optim::evaluate(net, *data.test_loader);
    std::printf("epoch %lld: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%%\n",
                static_cast<long long>(epoch + 1), trained.loss, 100 * trained.accuracy, tested.loss,
                100 * tested.accuracy);
    std::fflush(stdout);
    curve.push_back({epoch + 1, trained.loss, trained.accuracy, tested.loss, tested.accuracy});
    epochs_csv += number(width) + "," + std::to_string(epoch + 1) + "," + number(trained.loss) + "," +
                  number(trained.accuracy) + "," + number(tested.loss) + "," + number(tested.accuracy) + "\n";
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // The learnt masks as ordinary sprig masks: the model alone now computes the supermask's function.
  const Tensor supermask_logits = first_batch_logits(net, *data.test_loader);
  nn::ParameterSet weights(net.model());
  prune::apply_supermask(net, weights);
  const optim::EpochStats masked = optim::evaluate(net.model(), *data.test_loader);
  const double difference = max_abs_diff(supermask_logits, first_batch_logits(net.model(), *data.test_loader));
  Json csr = Json::array();
  for (const std::string& layer : nn::sparse_kernel_layers(net.model())) csr.push_back(layer);
  int64_t kept = 0, total = 0;
  for (const auto& s : net.scored()) kept += s.keep, total += s.weight->value().numel();
  std::printf("masked model: test acc %.2f%% (supermask %.2f%%), max logit difference %.3g, CSR layers %zu\n",
              100 * masked.accuracy, 100 * tested.accuracy, difference, csr.size());
  return {{"width", width},
          {"model", model_options.name},
          {"weights", total},
          {"kept", kept},
          {"test_acc", tested.accuracy},
          {"test_loss", tested.loss},
          {"masked_model_test_acc", masked.accuracy},
          {"max_logit_difference", difference},
          {"csr_layers", csr},
          {"seconds", seconds},
          {"curve", curve}};
}

std::string accuracy_svg(const Json& runs, const AppOptions& o) {
  cli::PlotSeries series{"edge-popup, k " + number(o.supermask.k) + "%", "#1f77b4", {}};
  for (const Json& r : runs) {
    const double acc = 100 * r["test_acc"].get<double>();
    series.points.push_back({r["width"].get<double>(), acc, acc, acc});
  }
  const cli::PlotPanel panel{.title = o.model + " on " + o.dataset + ": random weights, learnt mask",
                             .x_label = "width multiplier",
                             .y_label = "test accuracy (%)",
                             .log_x = true,
                             .series = {series}};
  return cli::svg_panels({panel});
}

}  // namespace

int run_popup(const AppOptions& o, const std::filesystem::path& out) {
  Data data = load_data(o);
  Json runs = Json::array();
  std::string widths_csv = "width,model,weights,kept,test_acc,test_loss,masked_model_test_acc,seconds\n";
  std::string epochs_csv = "width,epoch,train_loss,train_acc,test_loss,test_acc\n";
  for (double width : o.widths) {
    const Json r = train_width(o, data, width, epochs_csv);
    runs.push_back(r);
    widths_csv += number(width) + "," + r["model"].get<std::string>() + "," +
                  std::to_string(r["weights"].get<int64_t>()) + "," + std::to_string(r["kept"].get<int64_t>()) + "," +
                  number(r["test_acc"]) + "," + number(r["test_loss"]) + "," + number(r["masked_model_test_acc"]) +
                  "," + number(r["seconds"]) + "\n";
    cli::write_text_atomic(out / "results.json", Json{{"config", cli::to_json(o)}, {"runs", runs}}.dump(1) + "\n");
    cli::write_text_atomic(out / "widths.csv", widths_csv);
    cli::write_text_atomic(out / "epochs.csv", epochs_csv);
    cli::write_text_atomic(out / "accuracy_vs_width.svg", accuracy_svg(runs, o));
  }
  std::printf("\nwidth  model               test acc  masked model\n");
  for (const Json& r : runs)
    std::printf("x%-5s %-19s %7.2f%%  %7.2f%%\n", number(r["width"]).c_str(), r["model"].get<std::string>().c_str(),
                100 * r["test_acc"].get<double>(), 100 * r["masked_model_test_acc"].get<double>());
  std::cout << "Written: " << (out / "results.json").string() << ", widths.csv, epochs.csv, accuracy_vs_width.svg\n";
  return 0;
}

}  // namespace sprig::supermask_app
