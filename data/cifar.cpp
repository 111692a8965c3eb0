#include "data/cifar.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "data/gz_reader.h"
#include "tensor/error.h"

namespace sprig {

namespace fs = std::filesystem;

namespace {

// Appends every record of one file to pixels and labels.
void read_records(const std::string& path, std::vector<uint8_t>& pixels, std::vector<int32_t>& labels) {
  GzReader in(path);
  uint8_t record[kCifarRecordBytes];
  int64_t index = 0;
  for (;; ++index) {
    const size_t got = in.read(record, sizeof record);
    if (got == 0) break;
    SPRIG_CHECK(got == sizeof record, "cifar: '", path, "': record ", index, " is truncated (", got, " of ",
                kCifarRecordBytes, " bytes)");
    SPRIG_CHECK(record[0] < 10, "cifar: '", path, "': record ", index, " has label ", int(record[0]),
                ", expected 0..9");
    labels.push_back(record[0]);
    pixels.insert(pixels.end(), record + 1, record + sizeof record);
  }
  SPRIG_CHECK(index > 0, "cifar: '", path, "' holds no records");
}

bool is_split_file(const std::string& name, const std::string& split) {
  if (split == "test") return name == "test_batch.bin";
  return name.starts_with("data_batch_") && name.ends_with(".bin");
}

}  // namespace

Dataset read_cifar_binary(const std::vector<std::string>& paths) {
  SPRIG_CHECK(!paths.empty(), "read_cifar_binary: no files given");
  std::vector<uint8_t> pixels;
  std::vector<int32_t> labels;
  for (const std::string& path : paths) read_records(path, pixels, labels);
  return Dataset(std::move(pixels), std::move(labels), 3, kCifarSide, kCifarSide, 10);
}

std::vector<std::string> cifar_binary_files(const std::string& dir, const std::string& split) {
  SPRIG_CHECK(split == "train" || split == "test", "cifar: split must be \"train\" or \"test\" but got \"", split,
              "\"");
  std::error_code error;
  if (!fs::is_directory(dir, error)) return {};
  std::set<std::string> names;  // without ".gz"; sorted
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".gz")) name.resize(name.size() - 3);
    if (is_split_file(name, split) && entry.is_regular_file(error)) names.insert(name);
  }
  std::vector<std::string> paths;
  for (const std::string& name : names) {
    const fs::path plain = fs::path(dir) / name;
    paths.push_back(fs::is_regular_file(plain, error) ? plain.string() : plain.string() + ".gz");
  }
  return paths;
}

}  // namespace sprig
