// conv_lth: the lottery-ticket experiment of Frankle & Carbin (2019) on CIFAR-10 with the Conv-2/4/6
// networks (Figure 5): iterative magnitude pruning with rewinding against random re-initialisation.
//
//   conv_lth --data ../shared/data/cifar10            # quick preset: Conv-2, 4 coarse levels
//   conv_lth --preset conv4 --trials 2                # the paper's Conv-4 recipe
//   conv_lth --preset rethinking --lr 0.01            # Liu et al. 2019: ticket vs reinit at a small rate
//
// Run the same command again after an interruption and it continues where it stopped.
#include "apps/common/lth_app.h"

namespace {

struct ConvLthOptions : sprig::cli::LthOptions {
  static constexpr const char* description =
      "The lottery-ticket experiment on CIFAR-10 with Conv-2/4/6: iterative magnitude pruning with rewinding, "
      "against random re-initialisation.\n"
      "Presets: quick (Conv-2, 4 levels removing 50% of the fully connected, 25% of the convolution and output\n"
      "weights each, 1,500 iterations, evaluated every 250), conv2 / conv4 / conv6 (the paper: Adam 2e-4 / 3e-4 / 3e-4, batch 60,\n"
      "20k / 25k / 30k iterations; per level 20% of fc, 10% (Conv-6: 15%) of conv and 10% of output weights),\n"
      "rethinking (Liu et al. 2019, unstructured: VGG-11 at width 0.25 with BatchNorm, SGD momentum 0.9, weight decay\n"
      "1e-4, lr 0.1 divided by 10 at 50% and 75% of 2,800 iterations, batch 64, 3 levels of 50%; rerun with --lr 0.01).";

  ConvLthOptions() {
    model = "conv2";
    dataset = "cifar10";
    out = "runs/conv_lth";
  }

  void apply_preset() {
    lottery.controls = {"reinit"};
    lottery.pruning.rate = 0.2, lottery.pruning.output_rate = 0.1, lottery.pruning.conv_rate = 0.1;
    if (preset == "quick") {
      lottery.levels = 4, lottery.run.iterations = 1500, lottery.run.eval_every = 250;  // 6 passes: evaluation
      lottery.optim.lr = 2e-4;                                                          // of 15k images is slow
      lottery.pruning.rate = 0.5, lottery.pruning.output_rate = 0.25, lottery.pruning.conv_rate = 0.25;
    } else if (preset == "conv2" || preset == "conv4" || preset == "conv6") {
      model = preset;
      lottery.levels = 20, lottery.trials = 5;
      lottery.run.iterations = preset == "conv2" ? 20000 : preset == "conv4" ? 25000 : 30000;
      lottery.optim.lr = preset == "conv2" ? 2e-4 : 3e-4;
      if (preset == "conv6") lottery.pruning.conv_rate = 0.15;
    } else if (preset == "rethinking") {
      // Liu et al. 2019's unstructured comparison, quick: ticket against re-init under SGD with a step
      // schedule on slim's quick model (VGG-11 at width 0.25, with BatchNorm); run it with --lr 0.1
      // and again with --lr 0.01 into another --out.
      model = "vgg11", width = 0.25, init = "kaiming_normal";
      lottery.levels = 3, lottery.run.iterations = 2800, lottery.run.eval_every = 700, lottery.batch = 64;
      lottery.optim = {.optimizer = "sgd", .lr = 0.1, .momentum = 0.9, .weight_decay = 1e-4};
      lottery.milestones = {0.5, 0.75};
      lottery.pruning.rate = 0.5, lottery.pruning.output_rate = 0.5, lottery.pruning.conv_rate = 0.5;
    } else {
      sprig::cli::unknown_preset(preset, "quick, conv2, conv4, conv6, rethinking");
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  return sprig::cli::run_app<ConvLthOptions>(
      argc, argv, [](const ConvLthOptions& o) { return sprig::cli::run_lth("conv_lth", o, sprig::cli::to_json(o)); });
}
