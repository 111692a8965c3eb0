#pragma once
// LeNet-300-100 on MNIST for one epoch (Adam 1.2e-3, batch 60), data loading and the test-set
// evaluation included, three ways from the same initialisation and data order:
//   dense         no mask: the unpruned network on dense kernels
//   dense_masked  pruned to 3.6% (the lottery-ticket paper's 15th round: hidden layers 0.8^15,
//                 output 0.9^15) by magnitude after the dense epoch, rewound to the initialisation,
//                 dense kernels on weight * mask
//   sparse        the same mask and start on CSR kernels, with the optimiser's live loop
#include <string>

#include "apps/common/options.h"

namespace sprig::bench {

// Each run `repeats` times, interleaved; the rows hold median times.
cli::Json compare_epochs(const std::string& data_dir, int64_t seed, int64_t repeats);

}  // namespace sprig::bench
