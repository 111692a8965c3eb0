// Fuzzes the IDX reader (data/idx.h) as an images file and as a labels file, and when either parses,
// pairs it with a well-formed partner of the same count so read_idx_dataset builds the Dataset too.
#include <cstdint>
#include <vector>

#include "data/idx.h"
#include "fuzz_common.h"

using namespace sprig;

namespace {

constexpr int32_t kClasses = 10;
constexpr int64_t kMaxPartner = 1 << 16;  // larger counts skip the pairing (the partner file would be big)

// A valid IDX file of `count` items: labels i % 10, or 1x1 images.
const std::string& write_partner(fuzz::ScratchFile& file, uint32_t magic, int64_t count) {
  std::vector<uint8_t> bytes = {0, 0, 8, uint8_t(magic & 0xff)};
  const int rank = int(magic & 0xff);
  for (int axis = 0; axis < rank; ++axis) {
    const uint32_t size = axis == 0 ? uint32_t(count) : 1;
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(uint8_t(size >> shift));
  }
  for (int64_t i = 0; i < count; ++i) bytes.push_back(uint8_t(i % kClasses));
  return file.write(bytes.data(), bytes.size());
}

void check_array(const IdxArray& array, size_t rank) {
  FUZZ_ASSERT(array.sizes.size() == rank);
  int64_t numel = 1;
  for (int64_t size : array.sizes) numel *= size;
  FUZZ_ASSERT(array.values.size() == size_t(numel));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchFile input("idx"), partner("idx_partner");
  const std::string& path = input.write(data, size);
  fuzz::expect_only_sprig_errors([&] {
    const IdxArray images = read_idx(path, kIdxImagesMagic);
    check_array(images, 3);
    if (images.sizes[0] > kMaxPartner) return;
    const Dataset set = read_idx_dataset(path, write_partner(partner, kIdxLabelsMagic, images.sizes[0]), kClasses);
    FUZZ_ASSERT(set.size() == images.sizes[0] && set.example_numel() == images.sizes[1] * images.sizes[2]);
  });
  fuzz::expect_only_sprig_errors([&] {
    const IdxArray labels = read_idx(path, kIdxLabelsMagic);
    check_array(labels, 1);
    if (labels.sizes[0] > kMaxPartner) return;
    const Dataset set = read_idx_dataset(write_partner(partner, kIdxImagesMagic, labels.sizes[0]), path, kClasses);
    FUZZ_ASSERT(set.size() == labels.sizes[0]);
    for (int64_t i = 0; i < set.size(); ++i) FUZZ_ASSERT(set.label(i) >= 0 && set.label(i) < kClasses);
  });
  return 0;
}
