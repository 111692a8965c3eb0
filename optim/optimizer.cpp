#include "optim/optimizer.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "tensor/runtime.h"

namespace sprig::optim {

// Measured by bench_sparse's optimiser rows (an Adam step over LeNet-300-100's 266,610 entries,
// weights pruned at random, `bench_sparse --filter none --threads N`): gathering and scattering the
// weights and gradients of the live entries costs about five times the streaming masked loop per
// entry; break-even at 0.133 of the entries live on 2 threads, 0.144 on 1.
const double kLiveStepBelow = 0.14;

void Optimizer::set_lr(double lr) {
  SPRIG_CHECK(std::isfinite(lr) && lr >= 0.0, "Optimizer: learning rate must be finite and >= 0, got ", lr);
  lr_ = lr;
}

namespace {
// Below this many entries a second thread costs the masked loop more than it saves. The live loop,
// about five times as costly per entry (above), splits from kParallelScatteredFrom on (an Adam step
// over LeNet-300-100 at 5% live, 13k entries: 0.033 ms on one thread, 0.022 on two).
constexpr int64_t kMaskedSerialBelow = 1 << 15;

// Runs fn(begin, end) over [0, n) split across threads in cache-line multiples, or on one thread
// below `serial_below` entries. The updates are element-wise, so any split gives the same bits.
template <typename Fn>
void split(int64_t n, int64_t serial_below, Fn&& fn) {
  const int threads = n < serial_below ? 1 : omp_get_max_threads();
  if (threads == 1) return fn(int64_t(0), n);  // without a region: opening one costs 0.4 us
#pragma omp parallel num_threads(threads)
  {
    const int64_t parts = omp_get_num_threads(), part = omp_get_thread_num();
    const int64_t chunk = ((n + parts - 1) / parts + 15) / 16 * 16;
    const int64_t begin = std::min(n, part * chunk), end = std::min(n, begin + chunk);
    if (begin < end) fn(begin, end);
  }
}
}  // namespace

void Optimizer::step() {
  ++steps_;
  parameters_.settle_gradients();  // a parameter no backward reached; not from the threads below
  for (const GradientTerm& term : gradient_terms_) term(parameters_);
  if (parameters_.mask_version() != seen_mask_version_) clear_pruned_state();
  last_live_ = use_live();
  if (last_live_) {
    if (!compact_holds_state_) state_to_compact();
    auto update_share = [&](int64_t part, int64_t parts) {
      for_live_share(part, parts, [&](int64_t begin, int64_t end) { update_live(begin, end); });
    };
    if (int64_t(live_.size()) < kParallelScatteredFrom || omp_get_max_threads() == 1) return update_share(0, 1);
#pragma omp parallel
    update_share(omp_get_thread_num(), omp_get_num_threads());
    return;
  }
  state_to_flat();
  const float* mask = parameters_.has_masks() ? parameters_.masks().data() : nullptr;
  split(parameters_.size(), kMaskedSerialBelow, [&](int64_t begin, int64_t end) { update(begin, end, mask); });
}

// Part `part` of `parts` of each parameter's run of the live list, cut where csr_row_split cuts a
// CSR weight: at the first row whose entries start at or past part/parts of the run. A sparse
// layer's threads refresh, and sum the gradient of, the same rows (tensor/sparse_linear.h), so the
// weights and gradients this thread reads were written in its own core's cache.
template <typename Fn>
void Optimizer::for_live_share(int64_t part, int64_t parts, Fn&& fn) const {
  for (const nn::ParameterSet::Slot& s : parameters_.slots()) {
    const auto first = std::lower_bound(live_.begin(), live_.end(), s.offset);
    const int64_t start = first - live_.begin(), n = std::lower_bound(first, live_.end(), s.offset + s.numel) - first;
    const int64_t* run = live_.data() + start;
    const Shape& shape = s.parameter->value().shape();
    const int64_t row = shape.size() >= 2 && shape[0] > 0 ? s.numel / shape[0] : s.numel;  // entries per row
    auto cut = [&](int64_t q) {
      int64_t k = q >= parts ? n : n * q / parts;
      while (k > 0 && k < n && (run[k] - s.offset) / row == (run[k - 1] - s.offset) / row) ++k;
      return k;
    };
    const int64_t begin = cut(part), end = cut(part + 1);
    if (begin < end) fn(start + begin, start + end);
  }
}

bool Optimizer::use_live() {
  if (!parameters_.has_masks() || path_ == Path::masked) return false;
  return path_ == Path::live || parameters_.live_fraction() < kLiveStepBelow;
}

// After set_mask: state built up at entries that are pruned now must not wait for the masked loop,
// which the live loop may never run.
void Optimizer::clear_pruned_state() {
  state_to_flat();  // along the old live list, before the new one replaces it
  seen_mask_version_ = parameters_.mask_version();
  if (!parameters_.has_masks()) return;
  const float* mask = parameters_.masks().data();
  for (auto& [name, buffer] : flat_state()) {
    float* b = buffer->data();
    for (int64_t i = 0; i < buffer->numel(); ++i) b[i] = mask[i] != 0.0f ? b[i] : 0.0f;
  }
}

void Optimizer::state_to_compact() {
  live_ = parameters_.live_indices();
  const auto buffers = flat_state();
  compact_.resize(buffers.size());
  for (size_t b = 0; b < buffers.size(); ++b) {
    compact_[b] = Tensor::empty({int64_t(live_.size())});
    const float* flat = buffers[b].second->data();
    float* compact = compact_[b].data();
    for (size_t k = 0; k < live_.size(); ++k) compact[k] = flat[live_[k]];
  }
  compact_holds_state_ = true;
}

void Optimizer::state_to_flat() {
  if (!compact_holds_state_) return;
  const auto buffers = flat_state();
  for (size_t b = 0; b < buffers.size(); ++b) {
    float* flat = buffers[b].second->data();
    const float* compact = compact_[b].data();
    for (size_t k = 0; k < live_.size(); ++k) flat[live_[k]] = compact[k];
  }
  compact_holds_state_ = false;
}

std::vector<std::pair<std::string, Tensor*>> Optimizer::state() {
  state_to_flat();  // the caller may read or write the flat buffers; the next live step reads them again
  return flat_state();
}

void Optimizer::reset_state() {
  for (auto& [name, buffer] : state()) buffer->fill_(0.0f);
  steps_ = 0;
}

}  // namespace sprig::optim
