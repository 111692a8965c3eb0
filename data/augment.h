#pragma once
// The standard CIFAR augmentation: a random crop of the image zero-padded by 4 pixels on each side,
// then a horizontal flip with probability 1/2 (torchvision's RandomCrop(32, padding=4) followed by
// RandomHorizontalFlip()). Works in place on bytes, allocation-free, for any [C, H, W].
//
//   DataLoader loader(train, {.batch_size = 128, .seed = 1, .normalize = stats, .augment = random_crop_flip(4)});
#include <cstdint>

#include "data/loader.h"
#include "tensor/generator.h"

namespace sprig {

// Output pixel (y, x) comes from input (y + dy, x + dx), zero where that lies outside; then, if
// flip, each row is mirrored. A crop of the padded image at top-left (i, j) is dy = i - padding, dx = j - padding.
struct CropFlip {
  int64_t dy = 0, dx = 0;
  bool flip = false;
};

// dy, then dx, uniform on [-padding, padding], then the flip: one draw each from gen.
CropFlip draw_crop_flip(Generator& gen, int64_t padding);

void apply_crop_flip(ImageBytes image, const CropFlip& transform);

// An Augment drawing a fresh CropFlip per example from the loader's (seed, epoch, index) generator.
Augment random_crop_flip(int64_t padding = 4);

}  // namespace sprig
