#pragma once
// CIFAR-10 (60,000 32x32 colour images, 10 classes) from a folder in any of three layouts, tried in
// this order:
//   folder   DIR/train/<class>/*.jpg and DIR/test/<class>/*.jpg (or .png)
//   archive  DIR/cifar10-jpg.tar.gz holding that layout (read in memory, never unpacked)
//   binary   the original release: DIR/data_batch_*.bin and DIR/test_batch.bin, plain or .gz
// Decoded images of the first two are cached (data/decoded_cache.h), so the JPEGs are decoded once.
#include <string>
#include <vector>

#include "data/dataset.h"

namespace sprig {

enum class Cifar10Layout { none, folder, archive, binary };

constexpr const char* kCifar10Archive = "cifar10-jpg.tar.gz";

// airplane automobile bird cat deer dog frog horse ship truck: labels 0..9, as in the binary release.
const std::vector<std::string>& cifar10_classes();

Cifar10Layout cifar10_layout(const std::string& dir);

// Split "train" or "test" of the CIFAR-10 in dir. Image folders must have exactly the ten classes.
// cache_folder: where decoded images are cached ("" for no caching).
Dataset load_cifar10(const std::string& dir, const std::string& split, const std::string& cache_folder = "");

}  // namespace sprig
