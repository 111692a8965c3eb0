#include "optim/optimizer.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

namespace sprig::optim {

void Optimizer::set_lr(double lr) {
  SPRIG_CHECK(std::isfinite(lr) && lr >= 0.0, "Optimizer: learning rate must be finite and >= 0, got ", lr);
  lr_ = lr;
}

void Optimizer::step() {
  ++steps_;
  const int64_t n = parameters_.size();
  const float* mask = parameters_.has_masks() ? parameters_.masks().data() : nullptr;
  // Element-wise, so any split gives the same bits; split in cache-line multiples across threads.
  constexpr int64_t kSerialBelow = 1 << 15;
  const int threads = n < kSerialBelow ? 1 : omp_get_max_threads();
#pragma omp parallel num_threads(threads)
  {
    const int64_t parts = omp_get_num_threads(), part = omp_get_thread_num();
    const int64_t chunk = ((n + parts - 1) / parts + 15) / 16 * 16;
    const int64_t begin = std::min(n, part * chunk), end = std::min(n, begin + chunk);
    if (begin < end) update(begin, end, mask);
  }
}

void Optimizer::reset_state() {
  for (auto& [name, buffer] : state()) buffer->fill_(0.0f);
  steps_ = 0;
}

}  // namespace sprig::optim
