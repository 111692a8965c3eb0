// bench_sparse: CSR kernels against dense ones for pruned layers, beside PyTorch (dense and
// torch.sparse_csr, apps/bench/torch_sparse.py) measured in the same run with the same threads.
// Prints a table per layer and density, the break-even density per layer, the optimiser's
// masked-vs-live loop timings, and writes everything as JSON.
//
//   bench_sparse --threads 2 --json bench_sparse.json
//   bench_sparse --mode epoch --data ../shared/data/mnist   (LeNet-300-100 epochs, dense vs 3.6%)
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "apps/common/files.h"
#include "break_even.h"
#include "epoch.h"
#include "kernel_check.h"
#include "layer_cases.h"
#include "optimizer_rows.h"
#include "tensor/runtime.h"

namespace {

using namespace sprig;
using namespace sprig::bench;
using cli::Json;

struct BenchSparseOptions {
  static constexpr const char* description =
      "Times CSR against dense kernels for pruned Linear and Conv2d layers, beside PyTorch, and LeNet epochs.";
  std::string mode = "layers";
  int64_t threads = 2;
  double min_time = 0.2;
  std::string filter;
  std::vector<double> densities = {1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01};
  bool optimizer = true;
  bool torch = true;
  std::string python = "/usr/bin/python3";
  std::string data;
  int64_t seed = 1;
  int64_t repeats = 3;
  bool quick = false;
  std::string json;

  template <class V>
  void visit(V& v) {
    v("mode", mode, "layers: kernel and layer timings; epoch: LeNet-300-100 epochs", cli::Choices{"layers", "epoch"});
    v("threads", threads, "OpenMP and OpenBLAS threads (PyTorch gets the same, its OpenBLAS 1)", cli::Range{1, 1024});
    v("min_time", min_time, "seconds of timed calls per measurement", cli::Range{0, 3600});
    v("filter", filter, "only layers whose name contains this (e.g. linear, resnet20, vgg16, b60)");
    v("densities", densities, "densities of the CSR rows", cli::Range{1e-4, 1});
    v("optimizer", optimizer, "also time the optimiser's masked and live loops");
    v("torch", torch, "also run the PyTorch twin (needs python3-torch)");
    v("python", python, "the Python that has torch");
    v("data", data, "epoch mode: MNIST folder (default: the per-user cache, fetched if missing)");
    v("seed", seed, "epoch mode: seed of initialisation, masks and data order", cli::Range{0, 9.2e18});
    v("repeats", repeats, "epoch mode: epochs of each run, interleaved; the medians are reported", cli::Range{1, 100});
    v("quick", quick, "smoke run: one timed call per measurement");
    v("json", json, "write the results here as JSON");
  }
};

double ms(double seconds) { return seconds * 1e3; }
double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

// Runs the PyTorch twin on the same cases; an empty object if it cannot run.
Json measure_torch(const BenchSparseOptions& o, const std::vector<LayerCase>& cases) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string in = (dir / "sprig_torch_sparse_cases.json").string(), out = (dir / "sprig_torch_sparse.json").string();
  Json specs = Json::array();
  for (const LayerCase& c : cases) specs.push_back(c.spec());
  cli::write_text_atomic(in, Json{{"densities", o.densities}, {"cases", specs}}.dump());
  const std::filesystem::path script = std::filesystem::path(SPRIG_SOURCE_DIR) / "apps/bench/torch_sparse.py";
  const std::string command = "OPENBLAS_NUM_THREADS=1 '" + o.python + "' '" + script.string() + "' --threads " +
                              std::to_string(o.threads) + " --min-time " + std::to_string(o.quick ? 0.0 : o.min_time) +
                              " --cases '" + in + "' --json '" + out + "' > /dev/null";
  if (std::system(command.c_str()) != 0) {
    std::cerr << "warning: the PyTorch twin did not run (" << command << "); showing sprig alone\n";
    return Json::object();
  }
  std::ifstream file(out);
  const Json parsed = Json::parse(file);  // named: a range-for over a temporary's member would dangle
  Json results = Json::object();
  for (const Json& r : parsed["cases"]) results[r["name"].get<std::string>()] = r;
  return results;
}

Json parts_json(const Parts& p) {
  return {{"forward_ms", ms(p.forward)}, {"input_grad_ms", ms(p.input_grad)}, {"weight_grad_ms", ms(p.weight_grad)},
          {"sum_ms", ms(p.sum())},       {"layer_ms", ms(p.layer)}};
}

double torch_ms(const Json& torch, const std::string& name, double density, const char* key) {
  if (!torch.contains(name)) return 0;
  const Json& t = torch[name];
  if (density < 0) return t["dense"].value(key, 0.0);
  for (const Json& row : t["csr"])
    if (std::abs(row["density"].get<double>() - density) < 1e-12) return row.value(key, 0.0);
  return 0;
}

void print_table_header() {
  std::printf("\n%-28s %7s | %8s | %7s %7s %7s %8s %6s | %8s %8s %6s | %9s %9s %7s\n", "layer", "density", "dense",
              "CSR fwd", "dx", "dW", "CSR sum", "x", "layer dn", "layer CSR", "x", "torch dn", "torch CSR",
              "vs tCSR");
}

Json layer_rows(const BenchSparseOptions& o, const TimingPlan& plan, const LayerCase& c, const Json& torch) {
  const Parts dense = time_layer_case(c, -1, plan);
  Json rows = Json::array();
  std::vector<DensityTiming> sums, layers;
  for (double d : o.densities) {
    const Parts csr = time_layer_case(c, d, plan);
    const double t_dense = torch_ms(torch, c.name, -1, "layer_ms"), t_csr = torch_ms(torch, c.name, d, "layer_ms");
    std::printf("%-28s %7.3f | %8.3f | %7.3f %7.3f %7.3f %8.3f %5.2fx | %8.3f %9.3f %5.2fx | %9.3f %9.3f %6.2fx\n",
                c.name.c_str(), d, ms(dense.sum()), ms(csr.forward), ms(csr.input_grad), ms(csr.weight_grad),
                ms(csr.sum()), ratio(dense.sum(), csr.sum()), ms(dense.layer), ms(csr.layer),
                ratio(dense.layer, csr.layer), t_dense, t_csr, ratio(t_csr, ms(csr.layer)));
    std::fflush(stdout);
    sums.push_back({d, ratio(csr.sum(), dense.sum())});
    layers.push_back({d, ratio(csr.layer, dense.layer)});
    rows.push_back({{"density", d},
                    {"csr", parts_json(csr)},
                    {"speedup_sum", ratio(dense.sum(), csr.sum())},
                    {"speedup_layer", ratio(dense.layer, csr.layer)},
                    {"torch_csr_layer_ms", t_csr},
                    {"speedup_vs_torch_csr_layer", ratio(t_csr, ms(csr.layer))}});
  }
  return {{"name", c.name},
          {"dense", parts_json(dense)},
          {"torch", torch.contains(c.name) ? torch[c.name] : Json()},
          {"rows", rows},
          {"break_even_sum", break_even(sums)},
          {"break_even_layer", break_even(layers)}};
}

Json optimizer_rows(const BenchSparseOptions& o, const TimingPlan& plan) {
  std::printf("\nAdam step over LeNet-300-100 (266,610 entries), weights pruned at random\n%7s | %9s %9s %6s\n",
              "density", "masked ms", "live ms", "x");
  Json rows = Json::array();
  std::vector<DensityTiming> timings;
  for (double d : o.densities) {
    const OptimizerTiming t = time_optimizer_step(d, plan);
    std::printf("%7.3f | %9.4f %9.4f %5.2fx\n", d, ms(t.masked), ms(t.live), ratio(t.masked, t.live));
    timings.push_back({d, ratio(t.live, t.masked)});
    rows.push_back({{"density", d}, {"masked_ms", ms(t.masked)}, {"live_ms", ms(t.live)}});
  }
  const double even = break_even(timings);
  std::printf("live loop break-even density: %.3f\n", even);
  return {{"rows", rows}, {"break_even", even}};
}

int run_layers(const BenchSparseOptions& o) {
  const TimingPlan plan{o.min_time, 5, o.quick};
  std::vector<LayerCase> cases;
  for (const LayerCase& c : layer_cases())
    if (c.name.find(o.filter) != std::string::npos) cases.push_back(c);
  const Json torch = o.torch ? measure_torch(o, cases) : Json::object();
  Json report = {{"threads", o.threads}, {"blas_core", blas_info().core}, {"min_time", o.min_time}};
  report["vectorisation"] = check_kernel_vectorisation(plan);
  std::printf("times in ms per call (medians); dense = sprig's GEMMs on the whole weight; x = dense / CSR;\n"
              "layer = nn layer forward+backward through autograd; vs tCSR = PyTorch CSR layer / sprig CSR layer\n");
  print_table_header();
  Json layers = Json::array();
  for (const LayerCase& c : cases) layers.push_back(layer_rows(o, plan, c, torch));
  std::printf("\nbreak-even density (CSR faster below it): kernels' sum | whole layer\n");
  for (const Json& l : layers)
    std::printf("  %-28s %.3f | %.3f\n", l["name"].get<std::string>().c_str(), l["break_even_sum"].get<double>(),
                l["break_even_layer"].get<double>());
  report["layers"] = layers;
  if (o.optimizer) report["optimizer"] = optimizer_rows(o, plan);
  if (!o.json.empty()) cli::write_text_atomic(o.json, report.dump(1) + "\n");
  return 0;
}

int run(const BenchSparseOptions& o) {
  set_num_threads(int(o.threads));
  print_blas_info(std::cout);
  if (o.mode == "layers") return run_layers(o);
  const Json result = compare_epochs(o.data, o.seed, o.quick ? 1 : o.repeats);
  if (!o.json.empty()) cli::write_text_atomic(o.json, result.dump(1) + "\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return sprig::cli::run_app<BenchSparseOptions>(argc, argv, run); }
