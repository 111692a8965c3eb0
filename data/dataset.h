#pragma once
// An in-memory labelled image set: uint8 pixels [N, C, H, W] and int32 labels in [0, classes).
// Pixels stay bytes (4x smaller than floats, and augmentation works on bytes); the loader turns
// batches into normalised float tensors. A Dataset never changes after construction, so copies
// and subsets' parents share their buffers safely and copying costs nothing.
#include <cstdint>
#include <memory>
#include <vector>

#include "tensor/tensor.h"

namespace sprig {

class Dataset {
 public:
  Dataset() = default;  // empty
  Dataset(std::vector<uint8_t> pixels, std::vector<int32_t> labels, int64_t channels, int64_t height, int64_t width,
          int32_t num_classes);

  int64_t size() const { return static_cast<int64_t>(labels_->size()); }
  int64_t channels() const { return channels_; }
  int64_t height() const { return height_; }
  int64_t width() const { return width_; }
  int64_t example_numel() const { return channels_ * height_ * width_; }
  Shape example_shape() const { return {channels_, height_, width_}; }  // [C, H, W]
  int32_t num_classes() const { return num_classes_; }

  const uint8_t* image(int64_t i) const { return pixels_->data() + i * example_numel(); }  // [C, H, W]
  int32_t label(int64_t i) const { return (*labels_)[size_t(i)]; }
  const std::vector<uint8_t>& pixels() const { return *pixels_; }
  const std::vector<int32_t>& labels() const { return *labels_; }

  std::vector<int64_t> class_counts() const;                  // examples per class
  Dataset subset(const std::vector<int64_t>& indices) const;  // examples in the order given

 private:
  std::shared_ptr<const std::vector<uint8_t>> pixels_ = std::make_shared<const std::vector<uint8_t>>();
  std::shared_ptr<const std::vector<int32_t>> labels_ = std::make_shared<const std::vector<int32_t>>();
  int64_t channels_ = 0, height_ = 0, width_ = 0;
  int32_t num_classes_ = 0;
};

// Holds out `count` examples chosen at random by `seed` as a validation set; both parts keep the
// original order. (The lottery-ticket experiments hold out 5,000 of MNIST's 60,000.)
struct TrainValidation {
  Dataset train, validation;
};
TrainValidation split_validation(const Dataset& dataset, int64_t count, uint64_t seed);

// Per-channel mean and standard deviation (population) of pixel/255 over the whole set; MNIST's
// train set gives 0.1307 / 0.3081. The loader normalises with them: x = (pixel/255 - mean) / std.
struct ChannelStats {
  std::vector<float> mean, stddev;  // one per channel
};
ChannelStats channel_stats(const Dataset& dataset);

}  // namespace sprig
