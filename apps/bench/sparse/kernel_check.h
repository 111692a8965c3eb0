#pragma once
// Whether the CSR kernels' inner loops vectorise, checked rather than assumed: GFLOP/s of spmm and
// sddmm on one thread against their plain-loop twins (spmm_reference, sddmm_reference) on
// LeNet's first layer at density 0.1, batch 60.
#include "apps/bench/timing.h"
#include "apps/common/options.h"

namespace sprig::bench {

cli::Json check_kernel_vectorisation(const TimingPlan& plan);

}  // namespace sprig::bench
