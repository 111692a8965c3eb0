// slim: channel pruning on CIFAR-10 as network slimming (Liu et al. 2017), Rethinking the Value of
// Network Pruning (Liu et al. 2019) and Early-Bird tickets (You et al. 2020) run it.
//
//   slim --data ../shared/data/cifar10                 # quick preset: VGG-11 at width 0.25
//   slim --preset paper --data ../shared/data/cifar10  # VGG-19, 160 epochs, 70% of channels
//
// Run the same command again after an interruption and it continues where it stopped.
#include "apps/slim/slim.h"

int main(int argc, char** argv) {
  using namespace sprig;
  return cli::run_app<slim::SlimOptions>(argc, argv, [](const slim::SlimOptions& o) {
    slim::run_slim(o, cli::to_json(o));
    return 0;
  });
}
