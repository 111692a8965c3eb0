#pragma once
// IDX files (the MNIST format): a big-endian header [0, 0, type, rank] + rank sizes, then the
// values row-major. Only unsigned-byte data (type 0x08) is read, which is all MNIST-like sets use.
// Files may be plain or gzip-compressed. Every problem throws sprig::Error naming the file and
// what was expected versus found.
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace sprig {

constexpr uint32_t kIdxImagesMagic = 2051;  // 0x00000803: unsigned bytes, rank 3 [N, H, W]
constexpr uint32_t kIdxLabelsMagic = 2049;  // 0x00000801: unsigned bytes, rank 1 [N]

struct IdxArray {
  std::vector<int64_t> sizes;   // e.g. [60000, 28, 28]
  std::vector<uint8_t> values;  // product(sizes) bytes
};

// Reads an unsigned-byte IDX file whose magic must be `magic` (which also fixes its rank).
IdxArray read_idx(const std::string& path, uint32_t magic);

// Images [N, 1, H, W] and labels [N] read as a pair; the counts must agree and every label must
// lie in [0, num_classes).
Dataset read_idx_dataset(const std::string& images_path, const std::string& labels_path, int32_t num_classes);

}  // namespace sprig
