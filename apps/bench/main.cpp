// bench: GFLOP/s of the GEMM and convolution calls a training step makes, against the machine's
// sgemm ceiling and an estimated theoretical peak. Table on stdout, JSON with --json.
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "report.h"
#include "torch_runner.h"
#include "tensor/error.h"
#include "tensor/runtime.h"
#include "workloads.h"

namespace {

constexpr const char* usage = R"(usage: bench [options]
Times the GEMM calls of LeNet-300-100 (batch 60 and 128) and the conv2d forward/backward calls of
ResNet-20 (batch 128) and VGG-16 (batch 64) on CIFAR shapes; reports GFLOP/s and the share of the
sgemm ceiling (best GFLOP/s of a large square sgemm on the same threads), and for the convolutions
PyTorch's GFLOP/s for the same call in the same run (apps/bench/torch_twin.py) and the ratio
sprig / PyTorch (>1: sprig is faster).

  --threads N     OpenMP and OpenBLAS threads (default 2)
  --min-time S    seconds of timed calls per row, split into up to 5 repeats; the median is reported
                  (default 0.3)
  --quick         smoke run for CI: one warm-up and one timed call per row, small ceiling sgemm
  --json FILE     also write the results as JSON to FILE
  --filter TEXT   only time the calls whose name contains TEXT (e.g. lenet, resnet20, vgg16, "b128")
  --no-torch      skip the PyTorch column (--quick skips it too)
  --python PATH   the Python that has torch (default /usr/bin/python3)
  --help          show this text
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  int threads = 2;
  double min_time = 0.3;
  bool quick = false;
  bool help = false;
  bool torch = true;
  std::string python = "/usr/bin/python3";
  std::string json;
  std::string filter;
};

template <typename Number>
Number parse_number(std::string_view option, std::string_view text, Number low, Number high) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high)
    throw UsageError(sprig::detail::concat(option, " expects a number in [", low, ", ", high, "], got '", text, "'"));
  return value;
}

// Accepts "--name value" and "--name=value".
Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view inline_value;
    const bool has_inline = arg.starts_with("--") && arg.find('=') != std::string_view::npos;
    if (has_inline) {
      inline_value = arg.substr(arg.find('=') + 1);
      arg = arg.substr(0, arg.find('='));
    }
    auto value = [&]() -> std::string_view {
      if (has_inline) return inline_value;
      if (i + 1 >= argc) throw UsageError(std::string(arg) + " needs a value");
      return argv[++i];
    };
    auto no_value = [&] {
      if (has_inline) throw UsageError(std::string(arg) + " takes no value");
    };
    if (arg == "--help" || arg == "-h") no_value(), options.help = true;
    else if (arg == "--quick") no_value(), options.quick = true;
    else if (arg == "--no-torch") no_value(), options.torch = false;
    else if (arg == "--python") options.python = value();
    else if (arg == "--threads") options.threads = parse_number(arg, value(), 1, 1024);
    else if (arg == "--min-time") options.min_time = parse_number(arg, value(), 1e-3, 600.0);
    else if (arg == "--json") {
      options.json = value();
      if (options.json.empty()) throw UsageError("--json needs a file name");
    } else if (arg == "--filter") options.filter = value();
    else throw UsageError("unknown option '" + std::string(argv[i]) + "'");
  }
  return options;
}

// PyTorch's seconds per conv call, keyed by row name; null if the twin cannot run.
nlohmann::json torch_conv_seconds(const Options& options) {
  const nlohmann::json layers = sprig::bench::conv_layer_list(options.filter);
  if (layers.empty()) return nullptr;
  const std::string path = (std::filesystem::temp_directory_path() / "sprig_bench_conv_layers.json").string();
  std::ofstream(path) << layers.dump();
  return sprig::bench::run_torch_twin(options.python, "conv", options.threads, options.min_time, "--layers '" + path + "'");
}

int run(const Options& options) {
  sprig::set_num_threads(options.threads);
  sprig::print_blas_info(std::cout);

  sprig::bench::TimingPlan plan;
  plan.min_time = options.min_time;
  plan.quick = options.quick;

  sprig::bench::Report report;
  report.blas = sprig::blas_info();
  report.threads = options.threads;
  report.min_time = options.min_time;
  report.quick = options.quick;
  report.filter = options.filter;
  report.ceiling_n = options.quick ? 512 : 2048;
  report.ceiling_gflops = sprig::bench::sgemm_ceiling(plan, report.ceiling_n);
  report.peak = sprig::bench::estimate_peak(options.threads);
  sprig::bench::print_header(std::cout, report);
  std::cout << "\n";

  const nlohmann::json torch = options.torch && !options.quick ? torch_conv_seconds(options) : nlohmann::json();
  sprig::bench::print_table_header(std::cout);
  const sprig::bench::RowSink sink = [&](sprig::bench::Row row) {
    if (torch.is_object() && torch.contains(row.name)) row.torch_seconds = torch[row.name];
    report.rows.push_back(row);
    sprig::bench::print_row(std::cout, report, row);
  };
  sprig::bench::lenet_gemm_rows(plan, options.filter, sink);
  sprig::bench::conv_rows(plan, options.filter, sink);
  if (report.rows.empty()) std::cout << "(no call matches --filter '" << options.filter << "')\n";

  if (!options.json.empty()) {
    sprig::bench::write_json(options.json, report);
    std::cout << "wrote " << options.json << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const UsageError& error) {
    std::cerr << "bench: " << error.what() << "\nrun 'bench --help' for the options\n";
    return 2;
  }
  if (options.help) {
    std::cout << usage;
    return 0;
  }
  try {
    return run(options);
  } catch (const std::exception& error) {
    std::cerr << "bench: " << error.what() << "\n";
    return 1;
  }
}
