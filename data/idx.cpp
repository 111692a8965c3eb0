#include "data/idx.h"

#include <algorithm>
#include <array>

#include "data/gz_reader.h"
#include "tensor/error.h"

namespace sprig {

namespace {

uint32_t big_endian_u32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

const char* describe_magic(uint32_t magic) {
  switch (magic) {
    case kIdxImagesMagic: return " (images)";
    case kIdxLabelsMagic: return " (labels)";
    default: return "";
  }
}

// The header's sizes and the payload byte count they imply, refusing sizes whose product could
// overflow. The bound covers the product of the nonzero sizes, so that a zero count (an empty set)
// cannot let huge image sizes through to code that multiplies them, like Dataset::example_numel.
std::vector<int64_t> read_sizes(GzReader& in, size_t rank, int64_t& payload) {
  std::vector<uint8_t> raw(4 * rank);
  const size_t got = in.read(raw.data(), raw.size());
  SPRIG_CHECK(got == raw.size(), "idx '", in.path(), "': truncated header: expected ", 4 + raw.size(),
              " bytes but the file has ", 4 + got);
  std::vector<int64_t> sizes;
  payload = 1;
  int64_t nonzero = 1;
  for (size_t i = 0; i < rank; ++i) {
    sizes.push_back(big_endian_u32(&raw[4 * i]));
    SPRIG_CHECK(sizes[i] <= (int64_t(1) << 40) / nonzero, "idx '", in.path(), "': sizes ",
                Shape(sizes.begin(), sizes.end()), " are implausibly large");
    payload *= sizes[i];
    nonzero *= std::max<int64_t>(sizes[i], 1);
  }
  return sizes;
}

std::vector<uint8_t> read_payload(GzReader& in, int64_t payload, const std::vector<int64_t>& sizes) {
  const size_t want = size_t(payload);
  std::vector<uint8_t> values = in.read_vector(want);
  SPRIG_CHECK(values.size() == want, "idx '", in.path(), "': truncated: sizes ", Shape(sizes.begin(), sizes.end()),
              " need ", want, " bytes of data but only ", values.size(), " follow the header");
  SPRIG_CHECK(in.at_end(), "idx '", in.path(), "': ", in.skip(SIZE_MAX), " bytes of trailing garbage after the ", want,
              " bytes of data that sizes ", Shape(sizes.begin(), sizes.end()), " need");
  return values;
}

}  // namespace

IdxArray read_idx(const std::string& path, uint32_t magic) {
  GzReader in(path);
  std::array<uint8_t, 4> head{};
  const size_t got = in.read(head.data(), head.size());
  SPRIG_CHECK(got == head.size(), "idx '", path, "': truncated header: expected at least 4 bytes but the file has ",
              got);
  const uint32_t found = big_endian_u32(head.data());
  SPRIG_CHECK(found == magic, "idx '", path, "': expected magic ", magic, describe_magic(magic), " but found ", found,
              describe_magic(found));
  IdxArray array;
  int64_t payload = 0;
  array.sizes = read_sizes(in, magic & 0xff, payload);
  array.values = read_payload(in, payload, array.sizes);
  return array;
}

Dataset read_idx_dataset(const std::string& images_path, const std::string& labels_path, int32_t num_classes) {
  IdxArray images = read_idx(images_path, kIdxImagesMagic);
  const IdxArray labels = read_idx(labels_path, kIdxLabelsMagic);
  SPRIG_CHECK(images.sizes[0] == labels.sizes[0], "idx: '", images_path, "' holds ", images.sizes[0],
              " images but '", labels_path, "' holds ", labels.sizes[0], " labels");
  std::vector<int32_t> label_values(labels.values.begin(), labels.values.end());
  try {
    return Dataset(std::move(images.values), std::move(label_values), 1, images.sizes[1], images.sizes[2], num_classes);
  } catch (const Error& e) {  // say which files the bad content came from
    throw Error(detail::concat("idx '", images_path, "' + '", labels_path, "': ", e.what()));
  }
}

}  // namespace sprig
