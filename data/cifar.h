#pragma once
// The original CIFAR-10 binary format (cifar-10-binary.tar.gz): files data_batch_1..5.bin and
// test_batch.bin, each a run of 3,073-byte records: 1 label byte (0..9), then the 32x32 red, green
// and blue planes, row-major, which is already [C, H, W]. Files may be plain or gzip-compressed.
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace sprig {

constexpr int64_t kCifarSide = 32;
constexpr int64_t kCifarImageBytes = 3 * kCifarSide * kCifarSide;
constexpr int64_t kCifarRecordBytes = 1 + kCifarImageBytes;

// All records of the files, in order, as one Dataset [N, 3, 32, 32] with 10 classes. A truncated
// record, a label outside 0..9 or a file without records throws naming the file and record index.
Dataset read_cifar_binary(const std::vector<std::string>& paths);

// A split's binary files in dir, sorted: "train" -> data_batch_*.bin, "test" -> test_batch.bin,
// each plain or with ".gz" (the plain file wins when both exist). Empty when there are none.
std::vector<std::string> cifar_binary_files(const std::string& dir, const std::string& split);

}  // namespace sprig
