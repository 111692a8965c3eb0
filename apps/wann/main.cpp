// wann: weight-agnostic neural networks (Gaier & Ha 2019) on MNIST shrunk to 16x16: a search for
// topologies that classify with any shared weight, then the paper's table for the network found.
//
//   wann                                  # quick preset: fits in 30 minutes on two cores
//   wann --preset paper                   # the paper's population of 960 for 4096 generations
//   wann --network runs/wann/best.json    # skip the search: the table for a saved network
//
// Run the same command again after an interruption and it continues from the last generation.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "apps/common/files.h"
#include "apps/common/options.h"
#include "apps/common/progress.h"
#include "apps/wann/draw.h"
#include "apps/wann/report.h"
#include "data/fetch.h"
#include "prune/wann_data.h"
#include "prune/wann_search.h"
#include "tensor/runtime.h"

namespace {

using namespace sprig;
namespace fs = std::filesystem;

struct WannOptions {
  static constexpr const char* description =
      "Weight-agnostic neural networks (Gaier & Ha 2019) on MNIST at 16x16: a search for topologies that work with\n"
      "any shared weight, then the paper's table (random shared weight, ensemble, tuned shared weight, tuned weights).\n"
      "Presets: quick (population 192, 2000 generations; estimated 10-15 minutes on two idle cores), paper (population 960,\n"
      "4096 generations, tournament 32).";
  std::string preset = "quick";
  std::string data;
  int64_t size = 16;
  int64_t generations = 2000;
  int64_t batch = 1000;
  int64_t select_images = 5000;
  prune::WannSearchOptions search;
  prune::WannTrainOptions tune_shared{.epochs = 1, .batch = 128, .lr = 1e-2};
  prune::WannTrainOptions tune_individual{.epochs = 3, .batch = 128, .lr = 3e-3};
  std::string network;
  int64_t seed = 1;
  int64_t threads = 2;
  std::string out = "runs/wann";

  template <class V>
  void visit(V& v) {
    v("preset", preset, "defaults to start from", cli::Choices{"quick", "paper"});
    v("data", data, "folder with MNIST's files (default: the per-user cache, fetched if missing)");
    v("size", size, "images are shrunk to size x size by area averaging", cli::Range{2, 28});
    v("generations", generations, "generations of the search (a larger value continues a finished run)",
      cli::Range{0, 1e7});
    v("batch", batch, "training images each generation is evaluated on (a fresh seeded sample each generation)",
      cli::Range{1, 60000});
    v("select_images", select_images, "training images the final population is compared on to pick the best",
      cli::Range{1, 60000});
    v("search", search, "the search");
    v("tune_shared", tune_shared, "Adam on the single shared weight of the network found");
    v("tune_individual", tune_individual, "Adam on a weight per connection of the network found");
    v("network", network, "a network JSON (best.json of a run, or a bare genome) to evaluate instead of searching");
    v("seed", seed, "seed of the search, its batches and the training", cli::Range{0, 9.2e18});
    v("threads", threads, "threads for OpenMP and OpenBLAS", cli::Range{1, 1024});
    v("out", out, "output folder: config.json, generations.csv, timing.csv, best.json, best.svg, table.json, "
                  "accuracy.svg, state/");
  }

  void apply_preset() {
    if (preset == "quick") {
      search.population = 192, search.tournament = 8, generations = 2000;
    } else {  // Gaier & Ha 2019, appendix: MNIST
      search.population = 960, search.tournament = 32, generations = 4096;
    }
  }
};

std::string csv_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  SPRIG_CHECK(in, "cannot read ", path.string());
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(path.string() + ": not valid JSON: " + e.what());
  }
}

// The options a search's results depend on: a checkpoint made with other values cannot continue.
nlohmann::json search_identity(const WannOptions& o) {
  return {{"size", o.size}, {"batch", o.batch}, {"seed", o.seed}, {"search", cli::to_json(o.search)}, {"data", o.data}};
}

std::string generations_csv(const std::vector<prune::WannGeneration>& history) {
  std::string csv = "generation,best_mean_fitness,best_max_fitness,best_mean_accuracy,best_max_accuracy,best_connections,"
                    "best_hidden,mean_accuracy,mean_connections,front_size,ranked_on_connections\n";
  for (const prune::WannGeneration& g : history)
    csv += std::to_string(g.generation) + "," + csv_number(g.best_mean_fitness) + "," + csv_number(g.best_max_fitness) +
           "," + csv_number(g.best_mean_accuracy) + "," + csv_number(g.best_max_accuracy) + "," +
           std::to_string(g.best_connections) + "," + std::to_string(g.best_hidden) + "," +
           csv_number(g.mean_accuracy) + "," + csv_number(g.mean_connections) + "," + std::to_string(g.front_size) +
           "," + (g.ranked_on_connections ? "1" : "0") + "\n";
  return csv;
}

// The search, resumed from out/state/search.json when there is one; returns the final population.
std::vector<prune::WannGenome> run_search(const WannOptions& o, const Dataset& train, const fs::path& out) {
  const fs::path state = out / "state" / "search.json";
  fs::create_directories(out / "state");
  const int64_t inputs = o.size * o.size + 1, outputs = train.num_classes();
  prune::WannSearch search(o.search, inputs, outputs, uint64_t(o.seed));
  std::string timing = "generation,seconds,networks_per_second,images_per_second\n";
  if (fs::exists(state)) {
    const nlohmann::json saved = read_json(state);
    SPRIG_CHECK(saved.value("identity", nlohmann::json()) == search_identity(o), state.string(),
                " was made with other search options (", saved.value("identity", nlohmann::json()).dump(),
                "); use another --out or the same options");
    search = prune::WannSearch::from_json(o.search, saved.at("search"), state.string());
    timing = saved.value("timing", timing);
    std::cout << "resuming after generation " << search.generation() << " of " << o.generations << "\n";
  }
  cli::ProgressBar bar(std::max<int64_t>(1, o.generations - search.generation()), "search");
  const int64_t first = search.generation();
  double searched = 0.0;  // seconds of this process's generations
  for (int64_t g = first; g < o.generations; ++g) {
    const auto start = std::chrono::steady_clock::now();
    const prune::WannBatch batch = prune::wann_batch(train, prune::sample_indices(train.size(), o.batch, uint64_t(o.seed), uint64_t(g)));
    const prune::WannGeneration& stats = search.step(batch);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    searched += seconds;
    const double networks = double(o.search.population) / seconds;
    timing += std::to_string(g) + "," + csv_number(seconds) + "," + csv_number(networks) + "," +
              csv_number(networks * double(o.batch * int64_t(o.search.weights.size()))) + "\n";
    cli::write_text_atomic(out / "generations.csv", generations_csv(search.history()));
    cli::write_text_atomic(out / "timing.csv", timing);
    const nlohmann::json checkpoint = {{"identity", search_identity(o)}, {"search", search.to_json()}, {"timing", timing}};
    cli::write_text_atomic(state, checkpoint.dump());
    bar.update(g - first + 1, "best mean acc " + csv_number(100 * stats.best_mean_accuracy) + "% " +
                                  std::to_string(stats.best_connections) + " conn " + csv_number(networks) + " nets/s");
  }
  if (o.generations > first)
    std::printf("searched %lld generations in %.0f s: %.0f networks (of %lld images x %zu weights) per second\n",
                static_cast<long long>(o.generations - first), searched,
                double((o.generations - first) * o.search.population) / searched, static_cast<long long>(o.batch),
                o.search.weights.size());
  return search.population();
}

// The population's best network by mean fitness on a larger sample of training images.
prune::WannGenome pick_best(const WannOptions& o, const std::vector<prune::WannGenome>& population, const Dataset& train) {
  const prune::WannBatch sample = prune::wann_batch(
      train, prune::sample_indices(train.size(), o.select_images, uint64_t(o.seed), uint64_t{1} << 40));
  const auto scores = prune::evaluate_population(population, o.search.float_weights(), sample);
  size_t best = 0;
  double best_fitness = -1e300;
  for (size_t i = 0; i < population.size(); ++i) {
    double fitness = 0;
    for (const prune::WeightScore& s : scores[i]) fitness += o.search.fitness == "accuracy" ? s.accuracy : -s.loss;
    if (fitness > best_fitness) best_fitness = fitness, best = i;
  }
  return population[best];
}

// A saved best.json ({"genome": ...}) or a bare genome.
prune::WannGenome load_network(const std::string& path) {
  const nlohmann::json json = read_json(path);
  return prune::genome_from_json(json.is_object() && json.contains("genome") ? json["genome"] : json, path);
}

int run(const WannOptions& o) {
  o.search.check();
  const fs::path out = cli::prepare_output_dir(o.out);
  cli::write_text_atomic(out / "config.json", cli::to_json(o).dump(2) + "\n");
  set_num_threads(int(o.threads));
  const prune::WannGenome given = o.network.empty() ? prune::WannGenome{} : load_network(o.network);

  const Dataset train = prune::resize_area(load_dataset("mnist", "train", o.data), o.size, o.size);
  const Dataset test = prune::resize_area(load_dataset("mnist", "test", o.data), o.size, o.size);
  std::cout << "data: " << train.size() << " train and " << test.size() << " test images at " << o.size << "x"
            << o.size << "\n";
  const prune::WannGenome best = o.network.empty() ? pick_best(o, run_search(o, train, out), train) : given;
  SPRIG_CHECK(best.inputs == o.size * o.size + 1 && best.outputs == train.num_classes(), o.network, ": a network with ",
              best.inputs, " inputs and ", best.outputs, " outputs does not fit ", o.size, "x", o.size,
              " images (+ bias) and ", train.num_classes(), " classes");

  const cli::WannTable table = cli::wann_table(best, o.search.float_weights(), train, test,
                                                {o.tune_shared, o.tune_individual, uint64_t(o.seed)});
  cli::write_text_atomic(out / "best.json", nlohmann::json{{"genome", prune::genome_to_json(best)},
                                                          {"weights", o.search.weights},
                                                          {"table", cli::table_json(table)}}
                                                .dump(1) + "\n");
  cli::write_text_atomic(out / "best.svg", cli::network_svg(best, o.size, o.size));
  cli::write_text_atomic(out / "table.json", cli::table_json(table).dump(2) + "\n");
  cli::write_text_atomic(out / "accuracy.svg", cli::accuracy_svg(table));
  std::cout << cli::table_text(table) << "wrote " << out.string()
            << "/{config.json, generations.csv, timing.csv, best.json, best.svg, table.json, accuracy.svg}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return cli::run_app<WannOptions>(argc, argv, run); }
