// sprig's optimisers and schedules against PyTorch trajectories (tests/golden/optim.json, made by
// tests/golden/make_optim_golden.py): a Linear(4, 3) with fixed weights trained on a fixed batch with
// cross-entropy; every parameter is compared after every step with |sprig - torch| <= 1e-6 + 1e-5 |torch|.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "autograd/loss.h"
#include "nn/linear.h"
#include "nn/parameter_set.h"
#include "optim/adam.h"
#include "optim/schedule.h"
#include "optim/sgd.h"

using namespace sprig;
using json = nlohmann::json;

namespace {

constexpr double kRelTol = 1e-5, kAbsTol = 1e-6;

const json& golden() {
  static const json data = [] {
    std::ifstream in(SPRIG_SOURCE_DIR "/tests/golden/optim.json");
    REQUIRE_MESSAGE(in.good(), "cannot open tests/golden/optim.json");
    return json::parse(in);
  }();
  return data;
}

// Fills an options struct from JSON through its visit(): keys the JSON leaves out keep their defaults.
template <typename Options>
Options options_from(const json& j) {
  Options options;
  auto read = [&](const char* key, auto& field, const char*) {
    if (j.contains(key)) j.at(key).get_to(field);
  };
  options.visit(read);
  return options;
}

std::vector<float> flat(const json& rows) {
  std::vector<float> out;
  for (const json& row : rows)
    for (const json& x : row) out.push_back(x.get<float>());
  return out;
}

// The golden model: torch's weights and bias copied into sprig's Linear through the ParameterSet.
struct Model {
  Generator gen{0};
  nn::Linear linear{{4, 3, true}, gen};
  nn::ParameterSet parameters{linear};

  Model() {
    const json& g = golden();
    linear.parameter("weight").value().copy_(Tensor::from({3, 4}, flat(g["weight"])));
    linear.parameter("bias").value().copy_(Tensor::from({3}, g["bias"].get<std::vector<float>>()));
  }

  void compute_gradients() {
    const json& g = golden();
    parameters.zero_grad();
    Variable x(Tensor::from({6, 4}, flat(g["input"])));
    cross_entropy(linear(x), g["labels"].get<std::vector<int32_t>>()).backward();
  }
};

std::unique_ptr<optim::Optimizer> make_optimizer(const json& c, nn::ParameterSet& parameters) {
  if (c["optimizer"] == "sgd")
    return std::make_unique<optim::Sgd>(parameters, options_from<optim::SgdOptions>(c["options"]));
  REQUIRE(c["optimizer"] == "adam");
  return std::make_unique<optim::Adam>(parameters, options_from<optim::AdamOptions>(c["options"]));
}

void check_close(const Tensor& actual, const std::vector<float>& expected, const std::string& what) {
  REQUIRE(actual.numel() == int64_t(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO(what, "[", i, "]: sprig ", actual.data()[i], ", torch ", expected[i]);
    CHECK(std::abs(double(actual.data()[i]) - expected[i]) <= kAbsTol + kRelTol * std::abs(expected[i]));
  }
}

// Trains one golden case and compares every parameter after every step (and the rate each step used).
void run_case(const json& c) {
  INFO("case ", c["name"].get<std::string>());
  Model model;
  auto optimizer = make_optimizer(c, model.parameters);
  std::optional<optim::Schedule> schedule;
  if (c.contains("schedule"))
    schedule.emplace(options_from<optim::ScheduleOptions>(c["schedule"]), c["options"]["lr"].get<double>());
  const json& weights = c["weight"];
  const json& biases = c["bias"];
  for (size_t step = 0; step < weights.size(); ++step) {
    INFO("after step ", step + 1);
    model.compute_gradients();
    if (schedule) {
      const double lr = schedule->lr_at(int64_t(step));
      CHECK(lr == doctest::Approx(c["lr"][step].get<double>()).epsilon(1e-12));
      optimizer->set_lr(lr);
    }
    optimizer->step();
    check_close(model.linear.parameter("weight").value(), weights[step].get<std::vector<float>>(), "weight");
    check_close(model.linear.parameter("bias").value(), biases[step].get<std::vector<float>>(), "bias");
  }
}

void run_golden(const std::string& name) {
  for (const json& c : golden()["cases"])
    if (c["name"] == name) return run_case(c);
  FAIL("no golden case named ", name);
}

}  // namespace

// Guards against a wrong basic update or gradient (the plain step the others build on).
TEST_CASE("golden: SGD") { run_golden("sgd"); }
// Guards against momentum seeding: torch's first step copies the gradient into the buffer.
TEST_CASE("golden: SGD momentum") { run_golden("sgd_momentum"); }
// Guards against dampening applied on the first step (torch skips it there).
TEST_CASE("golden: SGD momentum with dampening") { run_golden("sgd_momentum_dampening"); }
// Guards against Nesterov's look-ahead (gradient + momentum * buffer) being replaced by the buffer.
TEST_CASE("golden: SGD Nesterov") { run_golden("sgd_nesterov"); }
// Guards against weight decay entering after the momentum instead of into the gradient.
TEST_CASE("golden: SGD momentum with weight decay") { run_golden("sgd_momentum_weight_decay"); }
// Guards against wrong bias corrections or eps placement in Adam.
TEST_CASE("golden: Adam") { run_golden("adam"); }
// Guards against Adam's L2 decay bypassing the moments (it is added to the gradient).
TEST_CASE("golden: Adam with L2 weight decay") { run_golden("adam_weight_decay"); }
// Guards against AdamW's decay going through the moments (it scales the weight directly).
TEST_CASE("golden: AdamW") { run_golden("adamw_weight_decay"); }
// Guards against MultiStepLR disagreement: the rates and the trained weights match step for step.
TEST_CASE("golden: SGD with a multistep schedule") { run_golden("sgd_multistep"); }
// Guards against CosineAnnealingLR disagreement, including the step that reaches the floor.
TEST_CASE("golden: SGD with a cosine schedule") { run_golden("sgd_cosine"); }

// Guards against a golden file that lost cases: every case above must exist, and no case goes untested.
TEST_CASE("golden: file lists exactly the tested cases") {
  std::vector<std::string> names;
  for (const json& c : golden()["cases"]) names.push_back(c["name"]);
  CHECK(names == std::vector<std::string>{"sgd", "sgd_momentum", "sgd_momentum_dampening", "sgd_nesterov",
                                          "sgd_momentum_weight_decay", "adam", "adam_weight_decay",
                                          "adamw_weight_decay", "sgd_multistep", "sgd_cosine"});
}
