#pragma once
// Data-parallel training over the ranks of the job (optim/world.h), as PyTorch's DDP and Horovod do
// it: every rank holds the whole model, trains on its shard of each global batch, and the gradients
// are summed across ranks before the optimiser step, so every rank takes the same step.
//
// The flat gradient buffer is cut into buckets of whole parameters in the order backward finishes
// them (last parameter first); a bucket's all-reduce starts from the gradient-ready hook of its last
// parameter, so communication overlaps the rest of backward. Once fewer than kLiveStepBelow of the
// entries are live (masks are the same on every rank), only the live entries travel: each bucket
// gathers them into a compact buffer, reduces that, and scatters back.
//
// With one rank every call is a no-op and training is exactly single-process training.
#include <cstdint>
#include <vector>

#include "nn/module.h"
#include "nn/parameter_set.h"
#include "optim/world.h"

namespace sprig::optim {

struct DataParallelOptions {
  int64_t bucket_floats = 1 << 18;  // 1 MiB buckets: large enough for bandwidth, small enough to overlap
};

class DataParallel {
 public:
  DataParallel(nn::Module& model, nn::ParameterSet& parameters, DataParallelOptions options = {});
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  bool active() const { return world_size() > 1; }

  // Rank 0's weights and buffers (BatchNorm statistics) to every rank: at start, after a resume,
  // and before evaluating (each rank's BatchNorm saw only its shard).
  void broadcast_state();

  // Before backward: this rank's share of the global batch, local / global examples. Its gradient
  // is the mean over its examples, so scaling by the share and summing gives the global mean.
  void begin_step(double share);
  // After backward: waits for every bucket (starting those no hook started, e.g. parameters the
  // step did not use) and leaves the summed gradient in the flat buffer.
  void end_step();

  double communication_seconds() const { return communication_seconds_; }  // waiting in end_step, summed

 private:
  struct Bucket {
    int64_t begin = 0, end = 0;     // flat range [begin, end) of whole parameters
    int waiting = 0;                // parameters whose gradient is not ready yet this step
    int parameters = 0;
    bool started = false;           // this step's sum is under way (or done)
    std::vector<int64_t> live;      // compact mode: flat indices of the live entries in the range
    std::vector<float> compact;     // compact mode: their gradients on the way
    PendingSum sum;
  };
  void parameter_ready(size_t bucket);
  void start(Bucket& bucket);
  void finish(Bucket& bucket);
  void refresh_live_lists();

  nn::Module& model_;
  nn::ParameterSet& parameters_;
  std::vector<Bucket> buckets_;
  std::vector<Variable> hooked_;  // parameters carrying our hook, to remove it
  size_t oldest_pending_ = 0;  // buckets before it have finished their sums this step
  double share_ = 1.0;
  bool compact_ = false;
  uint64_t live_version_ = ~uint64_t{0};
  double communication_seconds_ = 0.0;
};

}  // namespace sprig::optim
