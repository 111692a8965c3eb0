// demo: a small MLP learns two interleaved spirals with autograd and plain SGD, printing its loss
// curve, its accuracy and the BLAS setup. What scripts/run shows until the flagship app exists.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "autograd/loss.h"
#include "autograd/matmul.h"
#include "autograd/unary.h"
#include "tensor/elementwise.h"
#include "tensor/generator.h"
#include "tensor/reduce.h"
#include "tensor/runtime.h"

using namespace sprig;

namespace {

struct Options {
  int64_t steps = 3000;
  uint64_t seed = 1;
  std::optional<int> threads;  // OpenMP's default when not given
};

constexpr const char* kUsage =
    "usage: demo [--steps N] [--seed S] [--threads T] [--help]\n"
    "  Trains a 2-32-32-2 tanh MLP on two interleaved spirals with plain SGD.\n"
    "  --steps N    full-batch SGD steps (default 3000)\n"
    "  --seed S     seed for the data and the initial weights (default 1)\n"
    "  --threads T  OpenMP and OpenBLAS threads (default: OpenMP's choice)\n"
    "  --help       print this and exit\n";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "demo: " << message << "\n" << kUsage;
  std::exit(2);
}

template <typename Int>
Int parse_number(std::string_view name, std::string_view text, Int min) {
  Int value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min)
    usage_error(std::string(name) + " expects an integer >= " + std::to_string(min) + ", got '" + std::string(text) +
                "'");
  return value;
}

// Accepts "--name value" and "--name=value".
Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i], value;
    if (arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (const size_t eq = arg.find('='); eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg == "--steps" || arg == "--seed" || arg == "--threads") {
      if (i + 1 >= argc) usage_error(std::string(arg) + " needs a value");
      value = argv[++i];
    }
    if (arg == "--steps")
      options.steps = parse_number<int64_t>(arg, value, 1);
    else if (arg == "--seed")
      options.seed = parse_number<uint64_t>(arg, value, 0);
    else if (arg == "--threads")
      options.threads = parse_number<int>(arg, value, 1);
    else
      usage_error("unknown option '" + std::string(argv[i]) + "'");
  }
  return options;
}

// Two spirals of `per_class` points each, 1.5 turns, the second rotated by half a turn; points: [2 * per_class, 2].
void make_spirals(int64_t per_class, Generator& gen, Tensor& points, std::vector<int32_t>& labels) {
  points = Tensor::empty({2 * per_class, 2});
  labels.resize(2 * per_class);
  for (int64_t i = 0; i < 2 * per_class; ++i) {
    const int32_t label = static_cast<int32_t>(i % 2);
    const double t = double(i / 2) / double(per_class);  // 0 at the centre, 1 at the outer end
    const double angle = 3.0 * std::numbers::pi * t + std::numbers::pi * label;
    const double radius = 0.1 + 0.9 * t;
    points.at({i, 0}) = static_cast<float>(radius * std::cos(angle)) + 0.02f * gen.normal();
    points.at({i, 1}) = static_cast<float>(radius * std::sin(angle)) + 0.02f * gen.normal();
    labels[i] = label;
  }
}

struct Mlp {
  std::vector<Variable> params;  // w1, b1, w2, b2, w3, b3

  Mlp(const std::vector<int64_t>& widths, Generator& gen) {
    for (size_t l = 0; l + 1 < widths.size(); ++l) {
      const float stddev = 1.0f / std::sqrt(float(widths[l]));  // keeps tanh out of saturation at the start
      params.emplace_back(normal({widths[l + 1], widths[l]}, gen, 0.0f, stddev), true);
      params.emplace_back(Tensor::zeros({widths[l + 1]}), true);
    }
  }

  Variable forward(const Variable& x) const {
    Variable h = x;
    for (size_t l = 0; l < params.size(); l += 2) {
      h = linear(h, params[l], params[l + 1]);
      if (l + 2 < params.size()) h = tanh(h);
    }
    return h;
  }

  void sgd_step(float lr) {
    NoGradGuard no_grad;
    for (Variable& p : params) {
      axpy_(p.value(), -lr, p.grad());
      p.zero_grad();
    }
  }
};

// The curve squeezed into `width` columns (bucket means), each drawn as one of 9 ASCII heights.
std::string sparkline(const std::vector<float>& values, size_t width) {
  static constexpr std::string_view kLevels = "_.,:-=+*#";
  width = std::min(width, values.size());
  std::vector<double> columns(width, 0.0);
  for (size_t c = 0; c < width; ++c) {
    const size_t begin = c * values.size() / width, end = (c + 1) * values.size() / width;
    for (size_t i = begin; i < end; ++i) columns[c] += values[i];
    columns[c] /= double(end - begin);
  }
  const auto [low, high] = std::minmax_element(columns.begin(), columns.end());
  const double range = *high - *low;
  std::string line;
  for (double v : columns)
    line += kLevels[range > 0 ? size_t((v - *low) / range * (kLevels.size() - 1) + 0.5) : 0];
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  if (options.threads) set_num_threads(*options.threads);

  Generator gen(options.seed);
  Tensor points;
  std::vector<int32_t> labels;
  make_spirals(100, gen, points, labels);
  const Variable x(points);
  Mlp mlp({2, 32, 32, 2}, gen);
  const float lr = 0.5f;

  std::cout << "demo: 2-32-32-2 tanh MLP on two spirals (" << labels.size() << " points), SGD lr " << lr << ", "
            << options.steps << " steps, seed " << options.seed << ", " << num_threads() << " thread(s)\n";
  std::vector<float> curve;
  const int64_t report_every = std::max<int64_t>(1, options.steps / 15);
  for (int64_t step = 1; step <= options.steps; ++step) {
    Variable loss = cross_entropy(mlp.forward(x), labels);
    loss.backward();
    mlp.sgd_step(lr);
    curve.push_back(loss.value().item());
    if (step % report_every == 0 || step == 1 || step == options.steps)
      std::cout << "step " << std::setw(6) << step << "  loss " << std::fixed << std::setprecision(4) << curve.back()
                << "\n";
  }

  NoGradGuard no_grad;
  const std::vector<int64_t> predicted = argmax(mlp.forward(x).value(), 1);
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i];
  std::cout << "loss curve  " << curve.front() << " " << sparkline(curve, 60) << " " << curve.back() << "\n"
            << "accuracy    " << std::setprecision(1) << 100.0 * double(correct) / double(labels.size()) << "% ("
            << correct << "/" << labels.size() << ")\n";
  print_blas_info(std::cout);
  return 0;
}
