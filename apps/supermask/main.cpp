// supermask: edge-popup on random networks (Ramanujan et al. 2020), and Malach et al.'s (2020)
// claim that a random network of twice the depth, wide enough, holds a subnetwork close to any target.
//
//   supermask                                     # LeNet-300-100 on MNIST at widths 1, 2, 4, 8
//   supermask --preset conv4 --data ../shared/data/cifar10
//   supermask --preset malach --widths 1,2,4,8
#include <iostream>

#include "apps/common/files.h"
#include "apps/supermask/experiment.h"
#include "tensor/runtime.h"

namespace sprig::supermask_app {

void AppOptions::apply_preset() {
  if (preset == "mnist") return;  // the member defaults
  if (preset == "conv4") {        // the paper's Conv-4 recipe (k 50%, signed constant, SGD 0.1 cosine), fewer epochs
    model = "conv4", dataset = "cifar10", widths = {1}, epochs = 10, batch = 128;
    optim.weight_decay = 1e-4;
  } else if (preset == "malach") {  // a 784-100-10 target, students of four layers
    // Adam 3e-3 with scale_fan: the error falls with width (Adam 1e-2 without it was erratic on short runs).
    experiment = "malach", widths = {1, 2, 4, 8}, epochs = 5, optim = {.optimizer = "adam", .lr = 3e-3};
    supermask.scale_fan = true;
  }
}

}  // namespace sprig::supermask_app

int main(int argc, char** argv) {
  using namespace sprig;
  using namespace sprig::supermask_app;
  return cli::run_app<AppOptions>(argc, argv, [](const AppOptions& o) {
    nn::check_options(o.supermask);
    const std::filesystem::path out = cli::prepare_output_dir(o.out);
    cli::write_text_atomic(out / "config.json", cli::to_json(o).dump(2) + "\n");
    set_num_threads(int(o.threads));
    print_blas_info(std::cout);
    return o.experiment == "popup" ? run_popup(o, out) : run_malach(o, out);
  });
}
