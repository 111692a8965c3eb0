// lenet_lth: the lottery-ticket experiment of Frankle & Carbin (2019) on MNIST, Figures 3-4: iterative
// magnitude pruning of LeNet-300-100 with rewinding, against random re-initialisation and random masks.
//
//   lenet_lth                                # quick preset: a few minutes on two cores
//   lenet_lth --preset paper --trials 2      # the paper's recipe: 50,000 iterations per level
//   lenet_lth --config run.json --out runs/lth
//
// Run the same command again after an interruption and it continues where it stopped.
#include "apps/common/lth_app.h"

namespace {

struct LenetLthOptions : sprig::cli::LthOptions {
  static constexpr const char* description =
      "The lottery-ticket experiment on MNIST: iterative magnitude pruning with rewinding, against random "
      "re-initialisation and random masks.\n"
      "Presets: quick (2 trials, 8 levels of two paper rounds each, 5,000 iterations), paper (Adam 1.2e-3, batch 60,\n"
      "50,000 iterations, 20%/10% per level, 20 levels, 5 trials), open_lth (its lenet_300_100 defaults).";

  void apply_preset() {
    if (preset == "quick") {  // two paper rounds per level (36% hidden, 19% output), 5,000 iterations
      lottery.levels = 8, lottery.trials = 2, lottery.run.iterations = 5000;
      lottery.pruning.rate = 0.36, lottery.pruning.output_rate = 0.19;
    } else if (preset == "paper") {  // Frankle & Carbin 2019, section 2 and appendix
      lottery.levels = 20, lottery.trials = 5, lottery.run.iterations = 50000;
    } else if (preset == "open_lth") {  // open_lth's mnist_lenet_300_100 defaults
      init = "kaiming_normal";
      lottery.levels = 20, lottery.trials = 1, lottery.run.iterations = 40 * 430, lottery.run.eval_every = 430;
      lottery.batch = 128, lottery.optim = {.optimizer = "sgd", .lr = 0.1};
      lottery.pruning.scope = "global", lottery.pruning.ignore = {"5.weight"};
    } else {
      sprig::cli::unknown_preset(preset, "quick, paper, open_lth");
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  return sprig::cli::run_app<LenetLthOptions>(
      argc, argv, [](const LenetLthOptions& o) { return sprig::cli::run_lth("lenet_lth", o, sprig::cli::to_json(o)); });
}
