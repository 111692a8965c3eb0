// lth_shared_weight: what a lottery ticket's mask alone is worth. For each level of a finished (or
// running) lenet_lth / conv_lth experiment, every surviving weight is set to one shared value
// (prune/shared_weight.h), for the ticket's mask and for a random mask of the same per-layer
// densities; optionally each weight keeps the sign it had at θ0, rebuilt from the experiment's seed.
//
//   lth_shared_weight --lth /work/runs/paper --data ../shared/data/mnist --out runs/lth_shared
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/common/files.h"
#include "apps/common/options.h"
#include "apps/common/svg_plot.h"
#include "data/fetch.h"
#include "nn/zoo.h"
#include "prune/lottery.h"
#include "prune/magnitude.h"
#include "prune/mask_file.h"
#include "prune/shared_weight.h"
#include "tensor/runtime.h"

namespace {

using namespace sprig;
using Json = cli::Json;
namespace fs = std::filesystem;
using Masks = std::map<std::string, Tensor>;

struct Options {
  static constexpr const char* description =
      "Shared-weight evaluation of lottery tickets: accuracy of each level's mask with every kept weight set to one\n"
      "value (and biases to zero), against a random mask of the same per-layer densities.";
  std::string lth;
  std::string data;
  int64_t trial = 0;
  std::vector<int64_t> levels;
  prune::SharedWeightOptions shared;
  std::vector<std::string> signs = {"positive", "init"};
  int64_t test_limit = 0;
  int64_t seed = 1;
  int64_t threads = 2;
  std::string out = "runs/lth_shared_weight";

  template <class V>
  void visit(V& v) {
    v("lth", lth, "output folder of lenet_lth or conv_lth: config.json, state/trialT_levelL_mask.safetensors");
    v("data", data, "dataset folder (default: the experiment's own, as config.json names it)");
    v("trial", trial, "the experiment's trial whose tickets are evaluated", cli::Range{0, 1e6});
    v("levels", levels, "levels to evaluate (empty: 0 and every level with a mask)", cli::Range{0, 1e6});
    v("weights", shared.weights, "shared weight values (non-empty)", cli::Range{-1e6, 1e6});
    v("signs", signs, "positive: every weight +w; init: w times the sign of θ0", cli::Choices{"positive", "init"});
    v("test_limit", test_limit, "evaluate only N test images drawn at random (0: all)", cli::Range{0, 1e9});
    v("seed", seed, "seed of the random masks", cli::Range{0, 9.2e18});
    v("threads", threads, "threads for OpenMP and OpenBLAS", cli::Range{1, 1024});
    v("out", out, "output folder: config.json, results.json, levels.csv, shared_weight.svg");
  }
};

Json read_config(const fs::path& dir) {
  const fs::path path = dir / "config.json";
  std::ifstream in(path);
  SPRIG_CHECK(in.good(), "lth_shared_weight: cannot read ", path.string(), " (is --lth a lenet_lth output folder?)");
  std::ostringstream text;
  text << in.rdbuf();
  Json config;
  try {
    config = Json::parse(text.str());
  } catch (const std::exception& e) {
    throw Error(path.string() + ": not valid JSON (" + e.what() + ")");
  }
  for (const char* key : {"model", "init", "dataset", "validation", "seed"})
    SPRIG_CHECK(config.contains(key), path.string(), ": has no '", key, "'; not a lenet_lth/conv_lth configuration");
  return config;
}

// Levels with a ticket mask for the trial: 1, 2, ... until the first missing file.
std::vector<int64_t> available_levels(const Options& o) {
  std::vector<int64_t> levels = {0};
  while (fs::exists(prune::ticket_mask_path(o.lth, o.trial, int64_t(levels.size()))))
    levels.push_back(int64_t(levels.size()));
  SPRIG_CHECK(levels.size() > 1, "lth_shared_weight: no ticket masks for trial ", o.trial, " in ",
              (fs::path(o.lth) / "state").string());
  return levels;
}

// Every prunable weight kept: level 0.
Masks dense_masks(nn::ParameterSet& parameters) {
  Masks masks;
  for (const auto& slot : parameters.slots())
    if (slot.parameter->prunable) masks[slot.name] = Tensor::ones(slot.parameter->value().shape());
  return masks;
}

double density(const Masks& masks) {
  double kept = 0, total = 0;
  for (const auto& [name, mask] : masks)
    for (float m : mask.to_vector()) kept += m, total += 1;
  return kept / total;
}

Json result_json(const prune::SharedWeightResult& r) {
  Json per_weight = Json::array();
  for (const auto& s : r.per_weight)
    per_weight.push_back({{"weight", s.weight}, {"loss", s.loss}, {"accuracy", s.accuracy}});
  return {
      {"per_weight", per_weight},       {"mean_accuracy", r.mean_accuracy},
      {"min_accuracy", r.min_accuracy}, {"max_accuracy", r.max_accuracy},
      {"mean_loss", r.mean_loss},       {"ensemble", {{"loss", r.ensemble.loss}, {"accuracy", r.ensemble.accuracy}}}};
}

std::string csv_row(int64_t level, double d, const std::string& mask, const std::string& signs,
                    const prune::SharedWeightResult& r) {
  char cell[64];
  std::snprintf(cell, sizeof cell, "%lld,%.4f,%s,%s", static_cast<long long>(level), 100 * d, mask.c_str(),
                signs.c_str());
  std::string row = cell;
  for (const auto& s : r.per_weight) std::snprintf(cell, sizeof cell, ",%.4f", s.accuracy), row += cell;
  std::snprintf(cell, sizeof cell, ",%.4f,%.4f,%.4f,%.4f,%.4f\n", r.mean_accuracy, r.min_accuracy, r.max_accuracy,
                r.ensemble.accuracy, r.ensemble.loss);
  return row + cell;
}

std::string plot(const Json& rows, const Options& o) {
  std::vector<cli::PlotPanel> panels;
  for (const std::string& signs : o.signs) {
    cli::PlotPanel panel{.title = "shared weight, signs " + signs,
                         .x_label = "percent of weights remaining",
                         .y_label = "test accuracy (%)",
                         .log_x = true,
                         .reverse_x = true,
                         .series = {}};
    for (const char* mask : {"ticket", "random"}) {
      const bool ticket = std::string(mask) == "ticket";
      cli::PlotSeries series{
          std::string(mask) + " mask (ensemble; bars: min-max over w)", ticket ? "#1f77b4" : "#ff7f0e", {}};
      for (const Json& r : rows) {
        if (r["mask"] != mask || r["signs"] != signs) continue;
        const Json& s = r["result"];
        series.points.push_back({r["percent_remaining"], 100 * s["ensemble"]["accuracy"].get<double>(),
                                 100 * s["min_accuracy"].get<double>(), 100 * s["max_accuracy"].get<double>()});
      }
      panel.series.push_back(series);
    }
    panels.push_back(panel);
  }
  return cli::svg_panels(panels);
}

int run(const Options& o) {
  SPRIG_CHECK(!o.lth.empty(), "lth_shared_weight: --lth DIR is required (a lenet_lth or conv_lth output folder)");
  prune::check_options(o.shared);
  const Json config = read_config(o.lth);
  const std::vector<int64_t> levels = o.levels.empty() ? available_levels(o) : o.levels;
  const fs::path out = cli::prepare_output_dir(o.out);
  cli::write_text_atomic(out / "config.json", cli::to_json(o).dump(2) + "\n");
  set_num_threads(int(o.threads));

  // The experiment's data normalisation and θ0, rebuilt as lenet_lth made them.
  const std::string dataset = config["dataset"], data_dir = o.data.empty() ? config.value("data", "") : o.data;
  const Dataset full_train = load_dataset(dataset, "train", data_dir);
  Dataset test = load_dataset(dataset, "test", data_dir);
  if (o.test_limit > 0 && o.test_limit < test.size())
    test = split_validation(test, o.test_limit, uint64_t(o.seed)).validation;
  const int64_t lth_seed = config["seed"];
  const TrainValidation split = split_validation(full_train, config["validation"].get<int64_t>(), uint64_t(lth_seed));
  DataLoader loader(test, {.batch_size = 1000, .shuffle = false, .normalize = channel_stats(split.train)});
  nn::ModelOptions model_options;
  model_options.name = config["model"], model_options.init = config["init"];
  model_options.classes = full_train.num_classes();
  model_options.input = {full_train.channels(), full_train.height(), full_train.width()};
  Generator init = prune::trial_init_generator(lth_seed, o.trial);
  nn::ModulePtr model = nn::make_model(model_options, init);
  nn::ParameterSet parameters(*model);
  const Tensor theta0 = parameters.values().clone();

  Json rows = Json::array();
  std::string csv = "level,percent_remaining,mask,signs";
  for (double w : o.shared.weights) csv += ",acc_w" + cli::Json(w).dump();
  csv += ",mean_acc,min_acc,max_acc,ensemble_acc,ensemble_loss\n";
  std::printf("level  remaining  signs     ticket: ensemble  mean (min-max)   | random: ensemble  mean (min-max)\n");
  for (int64_t level : levels) {
    const Masks ticket =
        level == 0 ? dense_masks(parameters) : prune::load_masks(prune::ticket_mask_path(o.lth, o.trial, level));
    Generator mask_gen = Generator(uint64_t(o.seed)).split(uint64_t(level));
    const Masks random = prune::random_masks_like(ticket, mask_gen);
    const double d = density(ticket);
    for (const std::string& signs : o.signs) {
      prune::SharedWeightOptions shared = o.shared;
      shared.keep_sign = signs == "init";
      std::printf("%5lld  %8.2f%%  %-8s", static_cast<long long>(level), 100 * d, signs.c_str());
      for (const auto& [name, masks] : {std::pair{"ticket", &ticket}, std::pair{"random", &random}}) {
        const prune::SharedWeightResult r =
            prune::evaluate_shared_weight(*model, parameters, *masks, theta0, loader, shared);
        rows.push_back({{"level", level},
                        {"percent_remaining", 100 * d},
                        {"mask", name},
                        {"signs", signs},
                        {"result", result_json(r)}});
        csv += csv_row(level, d, name, signs, r);
        std::printf(" | %7.2f%%  %6.2f%% (%5.2f-%5.2f)", 100 * r.ensemble.accuracy, 100 * r.mean_accuracy,
                    100 * r.min_accuracy, 100 * r.max_accuracy);
      }
      std::printf("\n");
      std::fflush(stdout);
    }
    const Json results = {{"config", cli::to_json(o)}, {"experiment", config}, {"rows", rows}};
    cli::write_text_atomic(out / "results.json", results.dump(1) + "\n");
    cli::write_text_atomic(out / "levels.csv", csv);
    cli::write_text_atomic(out / "shared_weight.svg", plot(rows, o));
  }
  std::cout << "ensemble: softmax probabilities averaged over the weights " << cli::Json(o.shared.weights).dump()
            << ".\nWritten: " << (out / "results.json").string() << ", levels.csv, shared_weight.svg\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return sprig::cli::run_app<Options>(argc, argv, run); }
