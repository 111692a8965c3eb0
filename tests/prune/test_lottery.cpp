// The lottery-ticket runner (prune/lottery.h) and its training runs (prune/training_run.h): an
// interrupted experiment, run again, ends exactly as an uninterrupted one.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "toy_data.h"
#include "data/data_test_files.h"
#include "nn/zoo.h"
#include "prune/lottery.h"
#include "prune/mask_file.h"

using namespace sprig;

namespace {

using test::Interrupted;
using test::toy_dataset;

prune::LotteryOptions small_options() {
  prune::LotteryOptions o;
  o.levels = 3;
  o.trials = 2;
  o.run = {.iterations = 40, .eval_every = 10, .checkpoint_every = 10};
  o.batch = 8;
  o.pruning.rate = 0.5;
  o.pruning.output_rate = -1;
  return o;
}

prune::LotteryTask toy_task(const std::string& out) {
  prune::LotteryTask task;
  task.make_model = [](Generator& gen) {
    return nn::make_model({.name = "mlp_12", .init = "glorot_normal", .classes = 3, .input = {1, 4, 4}}, gen);
  };
  task.train = toy_dataset(100, 1);
  task.validation = toy_dataset(30, 2);
  task.test = toy_dataset(30, 3);
  task.out = out;
  task.config = {{"toy", true}};
  return task;
}

// results.json without wall times.
nlohmann::ordered_json without_seconds(nlohmann::ordered_json results) {
  for (auto& run : results["runs"]) run.erase("seconds");
  return results;
}

}  // namespace

TEST_CASE("lottery: levels, controls and densities as configured") {
  test::TempDir dir;
  const auto options = small_options();
  const auto results = prune::run_lottery(options, toy_task(dir.path.string()));
  CHECK(results["runs"].size() == 2 * (1 + 3 * 3));
  for (const auto& run : results["runs"]) {
    const double expected = std::pow(0.5, run["level"].get<int>());  // hidden 192 and output 36 weights halve
    CHECK(run["density"].get<double>() == doctest::Approx(expected).epsilon(0.01));
    CHECK(run["early_stop_iteration"].get<int64_t>() % 10 == 0);
    CHECK(run["validation_curve"].size() == 4);
  }
  // The random mask keeps the ticket's per-layer densities, not its positions.
  const auto& runs = results["runs"];
  CHECK(runs[3]["method"] == "random_mask");
  CHECK(runs[3]["layer_density"] == runs[1]["layer_density"]);
  CHECK(std::filesystem::exists(dir.file("levels.csv")));
  CHECK(prune::load_masks(prune::ticket_mask_path(dir.path.string(), 1, 3)).size() == 2);
}

TEST_CASE("lottery: an interrupted experiment continues to the uninterrupted results, bit for bit") {
  test::TempDir full_dir, resumed_dir;
  const auto options = small_options();
  const auto full = prune::run_lottery(options, toy_task(full_dir.path.string()));

  // Interrupt inside the reinit run of level 2 of the second trial, after its checkpoint at 20.
  prune::LotteryTask task = toy_task(resumed_dir.path.string());
  int runs_started = 0;
  task.on_run_start = [&](const std::string& label, int64_t) -> prune::RunProgress {
    ++runs_started;
    return [label](int64_t done, double) {
      if (label.find("trial 2/2 level 2/3 reinit") != std::string::npos && done == 25) throw Interrupted();
    };
  };
  CHECK_THROWS_AS(prune::run_lottery(options, task), Interrupted);
  CHECK(std::filesystem::exists(resumed_dir.path / "state" / "trial1_running.safetensors"));
  task.on_run_start = {};
  const auto resumed = prune::run_lottery(options, task);
  CHECK(without_seconds(resumed) == without_seconds(full));
  CHECK(runs_started == 10 + 6);  // the first trial and the second up to the interrupted run
}

TEST_CASE("lottery: trials run as separate jobs, in any order, merge into the sequential results") {
  test::TempDir full_dir, jobs_dir;
  const auto options = small_options();
  const auto full = prune::run_lottery(options, toy_task(full_dir.path.string()));
  prune::LotteryTask job = toy_task(jobs_dir.path.string());
  job.trials = {1};
  prune::run_lottery(options, job);
  CHECK(!std::filesystem::exists(jobs_dir.path / "results.json"));  // a job writes its trial's file only
  CHECK(std::filesystem::exists(jobs_dir.path / "state" / "trial1.json"));
  job.trials = {0};
  prune::run_lottery(options, job);
  int runs_started = 0;
  prune::LotteryTask merge = toy_task(jobs_dir.path.string());
  merge.on_run_start = [&](const std::string&, int64_t) -> prune::RunProgress {
    ++runs_started;
    return {};
  };
  const auto merged = prune::run_lottery(options, merge);
  CHECK(runs_started == 0);
  CHECK(without_seconds(merged) == without_seconds(full));
  job.trials = {2};
  CHECK_THROWS_WITH_AS(prune::run_lottery(options, job), doctest::Contains("trial 2 to run"), Error);
}

TEST_CASE("lottery: refuses to continue another experiment's folder and bad options") {
  test::TempDir dir;
  auto options = small_options();
  options.levels = 0;
  options.trials = 1;
  prune::run_lottery(options, toy_task(dir.path.string()));
  prune::LotteryTask other = toy_task(dir.path.string());
  other.config = {{"toy", false}};
  CHECK_THROWS_WITH_AS(prune::run_lottery(options, other), doctest::Contains("other options"), Error);
  options.rewind_iteration = 40;
  CHECK_THROWS_WITH_AS(prune::run_lottery(options, toy_task(dir.path.string())), doctest::Contains("rewind_iteration"),
                       Error);
  options.rewind_iteration = 0;
  options.controls = {"shuffle"};
  CHECK_THROWS_WITH_AS(prune::run_lottery(options, toy_task(dir.path.string())), doctest::Contains("shuffle"), Error);
  options.controls = {"reinit"};
  options.milestones = {0.5, 1.0};
  CHECK_THROWS_WITH_AS(prune::run_lottery(options, toy_task(dir.path.string())), doctest::Contains("milestones"), Error);
}

TEST_CASE("lottery: milestones divide the rate within every run, counted from iteration 0") {
  test::TempDir constant_dir, decayed_dir;
  auto options = small_options();
  options.levels = 1, options.trials = 1, options.controls = {};
  options.optim = {.optimizer = "sgd", .lr = 0.5};
  const auto constant = prune::run_lottery(options, toy_task(constant_dir.path.string()));
  options.milestones = {0.5};
  options.gamma = 1e-9;  // next to no change after iteration 20 of 40
  const auto decayed = prune::run_lottery(options, toy_task(decayed_dir.path.string()));
  for (size_t r = 0; r < 2; ++r) {
    const auto& c = constant["runs"][r];
    const auto& d = decayed["runs"][r];
    if (r == 0) CHECK(d["validation_curve"][1] == c["validation_curve"][1]);  // iteration 20: the same so far
    // (level 1's mask comes from level 0's final weights, which the decay changed)
    const double loss_20 = d["validation_curve"][1][1], loss_40 = d["validation_curve"][3][1];
    CHECK(loss_40 == doctest::Approx(loss_20).epsilon(1e-5));  // iteration 40: all but frozen since 20
    CHECK(c["validation_curve"][3][1].get<double>() != doctest::Approx(c["validation_curve"][1][1].get<double>()).epsilon(1e-3));
  }
}

TEST_CASE("lottery: late rewinding resets survivors to the weights at iteration k") {
  test::TempDir dir;
  auto options = small_options();
  options.trials = 1;
  options.levels = 1;
  options.rewind_iteration = 10;
  const auto results = prune::run_lottery(options, toy_task(dir.path.string()));
  CHECK(std::filesystem::exists(dir.path / "state" / "trial0_rewind.safetensors"));
  CHECK(results["runs"][1]["validation_curve"][0][0] == 20);  // trained from 10: first evaluation at 20
  CHECK(results["runs"][1]["validation_curve"].size() == 3);
}
