#include "data/loader.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace sprig {

namespace {

// Random streams that depend only on (seed, epoch, example), never on the order of calls.
Generator order_generator(uint64_t seed, int64_t epoch) { return Generator(seed).split(2 * uint64_t(epoch)); }
Generator example_generator(uint64_t seed, int64_t epoch, int64_t index) {
  return Generator(seed).split(2 * uint64_t(epoch) + 1).split(uint64_t(index));
}

// pixels: [C, plane] bytes -> out: [C, plane] floats, out = pixel * scale[c] + shift[c]
void normalize_image(const uint8_t* pixels, int64_t channels, int64_t plane, const float* scale, const float* shift,
                     float* out) {
  for (int64_t c = 0; c < channels; ++c) {
    const uint8_t* p = pixels + c * plane;
    float* o = out + c * plane;
    const float a = scale[c], b = shift[c];
    for (int64_t j = 0; j < plane; ++j) o[j] = float(p[j]) * a + b;
  }
}

}  // namespace

DataLoader::DataLoader(Dataset dataset, LoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  SPRIG_CHECK(options_.batch_size > 0, "DataLoader: batch_size must be positive but got ", options_.batch_size);
  SPRIG_CHECK(options_.shards >= 1 && options_.shard >= 0 && options_.shard < options_.shards &&
                  options_.shards <= options_.batch_size,
              "DataLoader: shard ", options_.shard, " of ", options_.shards, " with batches of ", options_.batch_size,
              " (need 0 <= shard < shards <= batch_size)");
  const ChannelStats& norm = options_.normalize;
  const size_t channels = size_t(dataset_.channels());
  if (norm.mean.empty() && norm.stddev.empty()) {
    scale_.assign(channels, 1.0f / 255.0f);
    shift_.assign(channels, 0.0f);
  } else {
    SPRIG_CHECK(norm.mean.size() == channels && norm.stddev.size() == channels, "DataLoader: expected ", channels,
                " normalisation means and stddevs (one per channel) but got ", norm.mean.size(), " and ",
                norm.stddev.size());
    for (size_t c = 0; c < channels; ++c) {
      SPRIG_CHECK(norm.stddev[c] > 0, "DataLoader: stddev of channel ", c, " must be positive but is ", norm.stddev[c]);
      scale_.push_back(1.0f / (255.0f * norm.stddev[c]));
      shift_.push_back(-norm.mean[c] / norm.stddev[c]);
    }
  }
  order_.resize(size_t(dataset_.size()));
  if (options_.augment) scratch_.resize(size_t(dataset_.example_numel()));
  if (options_.prefetch) worker_ = std::thread(&DataLoader::prefetch_loop, this);
}

DataLoader::~DataLoader() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

int64_t DataLoader::batches_per_epoch() const {
  const int64_t n = dataset_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

void DataLoader::start_epoch(int64_t epoch, int64_t first_batch) {
  SPRIG_CHECK(epoch >= 0, "DataLoader::start_epoch: epoch must be non-negative but got ", epoch);
  SPRIG_CHECK(first_batch >= 0 && first_batch <= batches_per_epoch(), "DataLoader::start_epoch: first batch ",
              first_batch, " outside [0, ", batches_per_epoch(), "]");
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !worker_busy_; });  // the worker reads order_ while it fills
  for (size_t i = 0; i < order_.size(); ++i) order_[i] = int64_t(i);
  if (options_.shuffle) {
    Generator gen = order_generator(options_.seed, epoch);
    for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[size_t(gen.integer(int64_t(i)))]);
  }
  epoch_ = epoch;
  consumed_ = produced_ = first_batch;
  slot_full_ = false;
  error_ = nullptr;
  changed_.notify_all();
}

bool DataLoader::next(Batch& batch) {
  SPRIG_CHECK(epoch_ >= 0, "DataLoader::next: call start_epoch first");
  if (!worker_.joinable()) {
    if (consumed_ == batches_per_epoch()) return false;
    fill(batch, consumed_, /*own_thread=*/true);
    ++consumed_;
    return true;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  if (consumed_ == batches_per_epoch()) return false;
  changed_.wait(lock, [&] { return slot_full_ || error_; });
  if (error_) std::rethrow_exception(error_);
  std::swap(batch, slot_);  // the caller's old buffers become the worker's next target
  slot_full_ = false;
  ++consumed_;
  changed_.notify_all();
  return true;
}

// Examples sit at random places in a dataset far larger than the caches: a batch of MNIST took
// 25 us, most of it waiting for each image's bytes. Asking for them a few examples ahead overlaps
// those waits; the last examples of a batch ask for the next batch's first ones, which then wait in
// the L3 cache while the caller trains.
void DataLoader::prefetch_example(int64_t i) const {
  const uint8_t* pixels = dataset_.image(i);
  for (int64_t b = 0; b < dataset_.example_numel(); b += 64) __builtin_prefetch(pixels + b);
}

void DataLoader::fill(Batch& batch, int64_t batch_index, bool own_thread) {
  const int64_t batch_begin = batch_index * options_.batch_size;
  const int64_t batch_count = std::min(options_.batch_size, dataset_.size() - batch_begin);
  const int64_t begin = batch_begin + batch_count * options_.shard / options_.shards;
  const int64_t count = batch_begin + batch_count * (options_.shard + 1) / options_.shards - begin;
  const int64_t numel = dataset_.example_numel(), plane = dataset_.height() * dataset_.width();
  const Shape shape{count, dataset_.channels(), dataset_.height(), dataset_.width()};
  if (!batch.images.defined() || batch.images.shape() != shape || !batch.images.storage_unique())
    batch.images = Tensor::empty(shape);
  batch.global_size = batch_count;
  batch.labels.resize(size_t(count));
  batch.indices.resize(size_t(count));
  float* out = batch.images.data();
  auto fill_example = [&](int64_t k) {
    const size_t ahead = size_t(begin + k + kPrefetchAhead);
    if (ahead < order_.size()) prefetch_example(order_[ahead]);
    const int64_t i = order_[size_t(begin + k)];
    const uint8_t* pixels = dataset_.image(i);
    if (options_.augment) {
      std::memcpy(scratch_.data(), pixels, size_t(numel));
      Generator gen = example_generator(options_.seed, epoch_, i);
      options_.augment({scratch_.data(), dataset_.channels(), dataset_.height(), dataset_.width()}, gen);
      pixels = scratch_.data();
    }
    normalize_image(pixels, dataset_.channels(), plane, scale_.data(), shift_.data(), out + k * numel);
    batch.labels[size_t(k)] = dataset_.label(i);
    batch.indices[size_t(k)] = i;
  };
  // Without augmentation (whose calls must not overlap) the caller's OpenMP team shares the
  // examples: each is mostly a wait for its bytes, and two threads wait for twice as many at once
  // (an MNIST batch of 60: 12 -> 8.6 us). Not on the prefetch thread, which would start a second team.
  if (own_thread && !options_.augment && count * numel >= kParallelFillFrom && !omp_in_parallel()) {
    // Then each thread asks for the examples it will fill in the next batch (the same split), which
    // arrive while the caller trains (MNIST, LeNet-300-100 on 2 threads: 10 -> 8.4 us a batch).
    const int64_t next = begin + options_.batch_size;  // this shard's part of the next batch
#pragma omp parallel
    {
#pragma omp for schedule(static)
      for (int64_t k = 0; k < count; ++k) fill_example(k);
#pragma omp for schedule(static) nowait
      for (int64_t k = 0; k < count; ++k)
        if (size_t(next + k) < order_.size()) prefetch_example(order_[size_t(next + k)]);
    }
  } else {
    for (int64_t k = 0; k < count; ++k) fill_example(k);  // an augmentation may throw: not from a parallel region
  }
}

void DataLoader::prefetch_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] {
      return stopping_ || (epoch_ >= 0 && !slot_full_ && !error_ && produced_ < batches_per_epoch());
    });
    if (stopping_) return;
    worker_busy_ = true;
    const int64_t index = produced_;
    lock.unlock();
    std::exception_ptr error;
    try {
      fill(slot_, index, /*own_thread=*/false);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    worker_busy_ = false;
    if (error)
      error_ = error;
    else {
      slot_full_ = true;
      ++produced_;
    }
    changed_.notify_all();
  }
}

}  // namespace sprig
