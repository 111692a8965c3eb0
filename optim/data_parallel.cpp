#include "optim/data_parallel.h"

#include <algorithm>
#include <chrono>

#include "optim/optimizer.h"

namespace sprig::optim {

DataParallel::DataParallel(nn::Module& model, nn::ParameterSet& parameters, DataParallelOptions options)
    : model_(model), parameters_(parameters) {
  SPRIG_CHECK(options.bucket_floats > 0, "DataParallel: bucket_floats must be positive, got ", options.bucket_floats);
  if (!active()) return;
  // Backward finishes the last parameters first: buckets run from the end of the flat buffer.
  const auto& slots = parameters_.slots();
  for (size_t s = slots.size(); s-- > 0;) {
    if (buckets_.empty() || buckets_.back().end - buckets_.back().begin >= options.bucket_floats) {
      buckets_.emplace_back();
      buckets_.back().begin = buckets_.back().end = slots[s].offset + slots[s].numel;
    }
    Bucket& bucket = buckets_.back();
    SPRIG_CHECK(slots[s].offset + slots[s].numel == bucket.begin, "DataParallel: parameter ", slots[s].name,
                " is not next to its neighbour in the flat buffer");
    bucket.begin = slots[s].offset;
    ++bucket.parameters;
    Variable& variable = slots[s].parameter->variable;
    variable.set_grad_ready_hook([this, b = buckets_.size() - 1] { parameter_ready(b); });
    hooked_.push_back(variable);
  }
  broadcast_state();
}

DataParallel::~DataParallel() {
  for (Variable& variable : hooked_) variable.set_grad_ready_hook({});
}

void DataParallel::broadcast_state() {
  if (!active()) return;
  broadcast(parameters_.values().data(), parameters_.size());
  for (auto& [name, buffer] : model_.named_buffers()) broadcast(buffer->data(), buffer->numel());
}

void DataParallel::refresh_live_lists() {
  live_version_ = parameters_.mask_version();
  compact_ = parameters_.has_masks() && parameters_.live_fraction() < kLiveStepBelow;
  const std::vector<int64_t>& live = parameters_.live_indices();
  for (Bucket& bucket : buckets_) {
    bucket.live.clear();
    if (!compact_) continue;
    const auto first = std::lower_bound(live.begin(), live.end(), bucket.begin);
    const auto last = std::lower_bound(first, live.end(), bucket.end);
    bucket.live.assign(first, last);
    bucket.compact.resize(bucket.live.size());
  }
}

void DataParallel::begin_step(double share) {
  if (!active()) return;
  SPRIG_CHECK(share >= 0.0 && share <= 1.0, "DataParallel: this rank's share of the batch must be in [0, 1], got ", share);
  share_ = share;
  if (parameters_.mask_version() != live_version_) refresh_live_lists();
  for (Bucket& bucket : buckets_) bucket.waiting = bucket.parameters, bucket.started = false;
  oldest_pending_ = 0;
}

void DataParallel::parameter_ready(size_t b) {
  Bucket& bucket = buckets_[b];
  if (--bucket.waiting == 0) start(bucket);
  // MPI progresses only inside its calls: test the oldest sum still under way (one pass per step).
  while (oldest_pending_ < buckets_.size() && buckets_[oldest_pending_].started && buckets_[oldest_pending_].sum.test())
    ++oldest_pending_;
}

// bucket's gradients (or its live ones) scaled by this rank's share, then summed over ranks
void DataParallel::start(Bucket& bucket) {
  bucket.started = true;
  float* g = parameters_.gradients().data();
  const float share = float(share_);
  if (!compact_) {
    for (int64_t i = bucket.begin; i < bucket.end; ++i) g[i] *= share;
    bucket.sum = PendingSum(g + bucket.begin, bucket.end - bucket.begin);
    return;
  }
  for (size_t k = 0; k < bucket.live.size(); ++k) bucket.compact[k] = g[bucket.live[k]] * share;
  bucket.sum = PendingSum(bucket.compact.data(), int64_t(bucket.compact.size()));
}

void DataParallel::finish(Bucket& bucket) {
  bucket.sum.wait();
  if (!compact_) return;
  float* g = parameters_.gradients().data();
  for (size_t k = 0; k < bucket.live.size(); ++k) g[bucket.live[k]] = bucket.compact[k];
}

void DataParallel::end_step() {
  if (!active()) return;
  const auto start_time = std::chrono::steady_clock::now();
  for (Bucket& bucket : buckets_) {
    if (!bucket.started) start(bucket);  // a parameter this step never reached
    finish(bucket);
  }
  communication_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
}

}  // namespace sprig::optim
