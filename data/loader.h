#pragma once
// DataLoader: turns a Dataset into float batches [B, C, H, W], normalised per channel, with labels.
//
//   DataLoader loader(split.train, {.batch_size = 60, .seed = 1, .normalize = channel_stats(split.train)});
//   Batch batch;
//   for (int64_t epoch = 0; epoch < epochs; ++epoch) {
//     loader.start_epoch(epoch);
//     while (loader.next(batch)) train_step(batch.images, batch.labels);
//   }
//
// Reproducible: epoch e's order depends only on (seed, e), and the augmentation of an example only
// on (seed, e, its dataset index), never on threads or timing; prefetching changes no result.
// Allocation-free in steady state: next() swaps the finished batch with the caller's previous one,
// so the same buffers circulate. If the caller still holds the previous images tensor (say in an
// autograd graph) it is left alone and a fresh one is taken from the tensor storage cache.
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "data/dataset.h"
#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace sprig {

// One example's bytes [C, H, W], to be changed in place.
struct ImageBytes {
  uint8_t* data;
  int64_t channels, height, width;
};
// Per-example augmentation, e.g. random crop and flip. Called with a generator seeded by
// (seed, epoch, dataset index); calls never overlap, but may come from the prefetch thread.
using Augment = std::function<void(ImageBytes image, Generator& gen)>;

struct LoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = true;
  uint64_t seed = 0;
  bool drop_last = false;   // drop the last batch when it would be smaller than batch_size
  ChannelStats normalize = {};  // empty: x = pixel/255
  Augment augment = {};        // empty: none
  // Prepare the next batch on a background thread while the caller computes. Off by default
  // because for MNIST it does not pay: a batch of 60 takes ~8 us to prepare, against ~2 ms for a
  // LeNet-300-100 step on 2 threads, so it could hide ~1% of an epoch at best, and only with an
  // idle core; measured on 2 busy cores, epochs were no faster with it. Worth trying when
  // augmentation makes batches expensive.
  bool prefetch = false;
  // Data-parallel training: every global batch splits into `shards` contiguous parts and this
  // loader yields part `shard` (all ranks share seed and order, so the parts make up the batch).
  int64_t shard = 0;
  int64_t shards = 1;
};

struct Batch {
  Tensor images;                // [B, C, H, W], float
  std::vector<int32_t> labels;  // [B]
  std::vector<int64_t> indices; // [B] dataset index of each example
  int64_t global_size = 0;      // examples in the whole batch this shard is part of (B unsharded)
  int64_t size() const { return int64_t(labels.size()); }
};

class DataLoader {
 public:
  DataLoader(Dataset dataset, LoaderOptions options);
  ~DataLoader();  // stops and joins the prefetch thread
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  const Dataset& dataset() const { return dataset_; }
  const LoaderOptions& options() const { return options_; }
  int64_t batches_per_epoch() const;

  // Begins epoch `epoch` (any order, any number of times; abandons an unfinished epoch) at batch
  // `first_batch`, which is how a run resumed mid-epoch sees the batches it had not yet seen.
  void start_epoch(int64_t epoch, int64_t first_batch = 0);
  // Puts the next batch of the epoch into `batch` (taking over its buffers); false once the epoch
  // is done. Rethrows an exception raised while preparing the batch, e.g. by the augmentation.
  bool next(Batch& batch);

 private:
  // Batch `batch_index` of the current epoch; own_thread: called on the caller's thread, not the prefetch one.
  void fill(Batch& batch, int64_t batch_index, bool own_thread);
  static constexpr int64_t kPrefetchAhead = 4;          // examples
  static constexpr int64_t kParallelFillFrom = 1 << 15;  // floats in a batch, below which one thread fills it
  void prefetch_example(int64_t i) const;
  void prefetch_loop();

  Dataset dataset_;
  LoaderOptions options_;
  std::vector<float> scale_, shift_;  // per channel: x = pixel * scale + shift
  std::vector<int64_t> order_;        // this epoch's example order
  std::vector<uint8_t> scratch_;      // one example's bytes, for augmentation
  int64_t epoch_ = -1;
  int64_t consumed_ = 0;              // batches handed to the caller this epoch

  // Prefetching: the worker fills slot_ with batch `produced_` while the caller uses its batch.
  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable changed_;
  Batch slot_;
  bool slot_full_ = false, worker_busy_ = false, stopping_ = false;
  int64_t produced_ = 0;
  std::exception_ptr error_;
};

}  // namespace sprig
