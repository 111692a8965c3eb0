#include "apps/slim/report.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "apps/common/files.h"
#include "apps/common/svg_plot.h"
#include "prune/channel.h"

namespace sprig::slim {

namespace {

constexpr double kSmallGamma = 1e-2;
constexpr double kLogLow = -4.0, kLogHigh = 1.0, kLogStep = 0.25;  // histogram of log10 |gamma|

std::vector<float> scales(nn::Module& model) {
  std::vector<float> all;
  for (const auto& s : prune::channel_scores(model, prune::channel_groups(model))) all.insert(all.end(), s.begin(), s.end());
  return all;
}

Json gamma_summary(const std::vector<float>& gammas) {
  const int64_t bins = std::llround((kLogHigh - kLogLow) / kLogStep);
  std::vector<int64_t> counts(size_t(bins), 0);
  int64_t small = 0;
  for (float g : gammas) {
    small += g < kSmallGamma;
    const double bin = std::floor((std::log10(std::max(double(g), 1e-30)) - kLogLow) / kLogStep);
    counts[size_t(std::clamp<int64_t>(int64_t(bin), 0, bins - 1))] += 1;  // the ends collect what lies outside
  }
  return {{"share_below_0.01", double(small) / double(gammas.size())}, {"histogram", counts}};
}

double images_per_second(nn::Module& model, const Tensor& images) {
  const auto start = std::chrono::steady_clock::now();
  int64_t passes = 0;
  double seconds = 0.0;
  while (seconds < 1.0 || passes < 2) {
    model.forward(Variable(images));
    ++passes;
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return double(passes * images.size(0)) / seconds;
}

std::string csv(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

// One (FLOPs, accuracy) point per ratio for `method`, in millions of FLOPs.
cli::PlotSeries method_series(const Json& results, const std::string& method, const std::string& label, const char* color) {
  cli::PlotSeries s{label, color, {}};
  for (const Json& p : results["pruned"]) {
    const Json& stage = p[method];
    const double acc = 100 * stage["test_accuracy"].get<double>();
    s.points.push_back({stage["flops"].get<double>() / 1e6, acc, acc, acc});
  }
  return s;
}

std::string accuracy_flops_svg(const Json& results) {
  cli::PlotPanel panel{"accuracy against FLOPs", "MFLOPs per image", "test accuracy (%)", true, false, {}};
  const Json& base = results["baseline"];
  const double base_acc = 100 * base["test_accuracy"].get<double>();
  panel.series.push_back({"unpruned", "#333", {{base["flops"].get<double>() / 1e6, base_acc, base_acc, base_acc}}});
  panel.series.push_back(method_series(results, "finetune", "fine-tuned", kColors[0]));
  panel.series.push_back(method_series(results, "scratch_e", "Scratch-E", kColors[1]));
  panel.series.push_back(method_series(results, "scratch_b", "Scratch-B", kColors[2]));
  if (results.contains("early_bird") && results["early_bird"].contains("finetune")) {
    const Json& eb = results["early_bird"]["finetune"];
    const double acc = 100 * eb["test_accuracy"].get<double>();
    panel.series.push_back({"Early-Bird", kColors[3], {{eb["flops"].get<double>() / 1e6, acc, acc, acc}}});
  }
  return cli::svg_panels({panel});
}

std::string gamma_svg(const Json& gamma) {
  cli::PlotPanel panel{"BatchNorm scales |gamma|", "log10 |gamma|", "share of channels", false, false, {}};
  const char* names[] = {"baseline", "sparsity"};
  for (int m = 0; m < 2; ++m) {
    cli::PlotSeries s{std::string(names[m]) + (m ? " (L1 penalty)" : " (no penalty)"), kColors[m], {}};
    const Json& counts = gamma[names[m]]["histogram"];
    double total = 0.0;
    for (const Json& c : counts) total += c.get<double>();
    for (size_t b = 0; b < counts.size(); ++b) {
      const double share = counts[b].get<double>() / total;
      s.points.push_back({kLogLow + (double(b) + 0.5) * kLogStep, share, share, share});
    }
    panel.series.push_back(s);
  }
  return cli::svg_panels({panel});
}

std::string channels_svg(const Json& results) {
  cli::PlotPanel panel{"channels kept per layer", "layer", "channels", false, false, {}};
  cli::PlotSeries original{"unpruned", "#333", {}};
  for (size_t l = 0; l < results["groups"].size(); ++l) {
    const double c = results["groups"][l]["channels"].get<double>();
    original.points.push_back({double(l + 1), c, c, c});
  }
  panel.series.push_back(original);
  size_t color = 0;
  for (const Json& p : results["pruned"]) {
    cli::PlotSeries s{"ratio " + csv(p["ratio"].get<double>()), kColors[color++ % 6], {}};
    const Json& kept = p["finetune"]["channels"];
    for (size_t l = 0; l < kept.size(); ++l) s.points.push_back({double(l + 1), kept[l].get<double>(), kept[l].get<double>(), kept[l].get<double>()});
    panel.series.push_back(s);
  }
  return cli::svg_panels({panel});
}

// One row per (ratio, method): what the closing table and the plots are made of.
struct Row {
  double ratio;
  std::string method;
  const Json* stage;  // null for the pruned network before fine-tuning
  double accuracy;
};

std::vector<Row> rows_of(const Json& results) {
  std::vector<Row> rows = {{0.0, "baseline", &results["baseline"], results["baseline"]["test_accuracy"].get<double>()},
                           {0.0, "sparsity", &results["sparsity"], results["sparsity"]["test_accuracy"].get<double>()}};
  for (const Json& p : results["pruned"]) {
    const double r = p["ratio"].get<double>();
    rows.push_back({r, "pruned", &p["finetune"], p["accuracy_after_prune"].get<double>()});
    for (const char* m : {"finetune", "scratch_e", "scratch_b"}) rows.push_back({r, m, &p[m], p[m]["test_accuracy"].get<double>()});
  }
  if (results.contains("early_bird") && results["early_bird"].contains("finetune")) {
    const Json& eb = results["early_bird"];
    rows.push_back({eb["ratio"].get<double>(), "early_bird", &eb["finetune"], eb["finetune"]["test_accuracy"].get<double>()});
  }
  return rows;
}

void write_csvs(const std::filesystem::path& out, const Json& results) {
  std::string pruning = "ratio,method,parameters,flops,epochs,test_accuracy,seconds\n";
  std::string epochs = "stage,epoch,lr,train_loss,train_accuracy,test_loss,test_accuracy,seconds\n";
  for (const Row& row : rows_of(results)) {
    const bool trained = row.method != "pruned";  // the pruned row is the fine-tuned network before training
    pruning += csv(row.ratio) + "," + row.method + "," + csv((*row.stage)["parameters"].get<double>()) + "," +
               csv((*row.stage)["flops"].get<double>()) + "," + (trained ? csv((*row.stage)["epochs"].get<double>()) : "0") +
               "," + csv(row.accuracy) + "," + (trained ? csv((*row.stage)["seconds"].get<double>()) : "0") + "\n";
    if (!trained) continue;
    for (const Json& e : (*row.stage)["curve"])
      epochs += (*row.stage)["stage"].get<std::string>() + "," + csv(e["epoch"].get<double>()) + "," + csv(e["lr"].get<double>()) +
                "," + csv(e["train_loss"].get<double>()) + "," + csv(e["train_accuracy"].get<double>()) + "," +
                csv(e["test_loss"].get<double>()) + "," + csv(e["test_accuracy"].get<double>()) + "," +
                csv(e["seconds"].get<double>()) + "\n";
  }
  std::string channels = "ratio,layer,conv,original,kept\n";
  for (const Json& p : results["pruned"])
    for (size_t l = 0; l < results["groups"].size(); ++l)
      channels += csv(p["ratio"].get<double>()) + "," + std::to_string(l + 1) + "," +
                  results["groups"][l]["conv"].get<std::string>() + "," +
                  csv(results["groups"][l]["channels"].get<double>()) + "," + csv(p["finetune"]["channels"][l].get<double>()) + "\n";
  cli::write_text_atomic(out / "pruning.csv", pruning);
  cli::write_text_atomic(out / "epochs.csv", epochs);
  cli::write_text_atomic(out / "channels.csv", channels);
}

void print_table(const Json& results) {
  std::printf("\n%-6s %-11s %11s %11s %7s %9s %8s\n", "ratio", "method", "parameters", "MFLOPs", "epochs", "test acc", "seconds");
  for (const Row& row : rows_of(results)) {
    const bool trained = row.method != "pruned";
    std::printf("%-6.2f %-11s %11.0f %11.2f %7.0f %8.2f%% %8.0f\n", row.ratio, row.method.c_str(),
                (*row.stage)["parameters"].get<double>(), (*row.stage)["flops"].get<double>() / 1e6,
                trained ? (*row.stage)["epochs"].get<double>() : 0.0, 100 * row.accuracy,
                trained ? (*row.stage)["seconds"].get<double>() : 0.0);
  }
  const Json& g = results["gamma"];
  std::printf("\n|gamma| < 0.01: %.1f%% of channels without the penalty, %.1f%% with it\n",
              100 * g["baseline"]["share_below_0.01"].get<double>(), 100 * g["sparsity"]["share_below_0.01"].get<double>());
  for (const Json& p : results["pruned"])
    std::printf("ratio %.2f: inference %.0f -> %.0f images/s (%.2fx)\n", p["ratio"].get<double>(),
                p["inference"]["original_images_per_second"].get<double>(),
                p["inference"]["pruned_images_per_second"].get<double>(), p["inference"]["speedup"].get<double>());
  if (!results.contains("early_bird")) return;
  const Json& eb = results["early_bird"];
  if (eb["drawn_after_epoch"].is_null()) {
    std::printf("Early-Bird: not drawn\n");
    return;
  }
  std::printf("Early-Bird: drawn after epoch %lld; pipeline %.0f s against %.0f s for the end-of-training ticket\n",
              static_cast<long long>(eb["drawn_after_epoch"].get<int64_t>()), eb["pipeline_seconds"].get<double>(),
              eb["full_pipeline_seconds"].get<double>());
}

}  // namespace

double total_seconds(const std::vector<prune::EpochRecord>& records) {
  double seconds = 0.0;
  for (const auto& r : records) seconds += r.seconds;
  return seconds;
}

std::string mask_to_text(const std::vector<uint8_t>& mask) {
  std::string text;
  for (uint8_t m : mask) text += m ? '1' : '0';
  return text;
}

std::vector<uint8_t> mask_from_text(const std::string& text) {
  std::vector<uint8_t> mask;
  for (char c : text) {
    SPRIG_CHECK(c == '0' || c == '1', "slim: a channel mask holds only 0 and 1, got '", c, "'");
    mask.push_back(c == '1');
  }
  return mask;
}

Json gamma_report(nn::Module& baseline, nn::Module& sparsity) {
  return {{"bins_log10_low", kLogLow}, {"bin_width", kLogStep},
          {"baseline", gamma_summary(scales(baseline))}, {"sparsity", gamma_summary(scales(sparsity))}};
}

Json inference_speed(nn::Module& original, nn::Module& pruned, DataLoader& test) {
  Batch batch;
  test.start_epoch(0);
  SPRIG_CHECK(test.next(batch), "slim: the test set is empty");
  NoGradGuard no_grad;
  original.eval(), pruned.eval();
  double full = 0.0, small = 0.0;
  for (int repeat = 0; repeat < 3; ++repeat) {  // alternate, keep the best of each: load on the machine hits both
    full = std::max(full, images_per_second(original, batch.images));
    small = std::max(small, images_per_second(pruned, batch.images));
  }
  return {{"batch", batch.size()}, {"original_images_per_second", full}, {"pruned_images_per_second", small},
          {"speedup", small / full}};
}

void write_report(const std::filesystem::path& out, const SlimOptions& options, const Json& results) {
  write_csvs(out, results);
  cli::write_text_atomic(out / "gamma.svg", gamma_svg(results["gamma"]));
  cli::write_text_atomic(out / "channels.svg", channels_svg(results));
  cli::write_text_atomic(out / "accuracy_flops.svg", accuracy_flops_svg(results));
  if (results.contains("early_bird"))
    cli::write_text_atomic(out / "early_bird.svg",
                           cli::svg_heatmap("Early-Bird: channel-mask distance between epochs", "epoch",
                                            results["early_bird"]["distances"].get<std::vector<std::vector<double>>>()));
  cli::write_text_atomic(out / "results.json", results.dump(2) + "\n");
  print_table(results);
  std::printf("\n%s on %s. Written to %s: results.json, pruning.csv, epochs.csv, channels.csv, gamma.svg, channels.svg, "
              "accuracy_flops.svg%s\n",
              options.model.c_str(), options.dataset.c_str(), out.string().c_str(),
              results.contains("early_bird") ? ", early_bird.svg" : "");
}

}  // namespace sprig::slim
