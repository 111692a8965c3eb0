#include "data/decoded_cache.h"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "data/md5.h"
#include "data/safetensors.h"
#include "tensor/error.h"

namespace sprig {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "sprig-decoded-dataset-1";

std::string file_fingerprint(const fs::path& path) {
  return detail::concat(fs::file_size(path), " bytes, modified ", fs::last_write_time(path).time_since_epoch().count());
}

// One line per file below `dir` (relative path, size, time), sorted, hashed.
std::string folder_fingerprint(const fs::path& dir) {
  std::vector<std::string> lines;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file())
      lines.push_back(fs::relative(entry.path(), dir).string() + ": " + file_fingerprint(entry.path()) + "\n");
  std::sort(lines.begin(), lines.end());
  Md5 md5;
  for (const std::string& line : lines) md5.update(line.data(), line.size());
  return detail::concat(lines.size(), " files, md5 of their names, sizes and times ", md5.hex_digest());
}

std::string data_crc(const std::vector<uint8_t>& pixels, const std::vector<int32_t>& labels) {
  uLong crc = crc32_z(0, pixels.data(), pixels.size());
  crc = crc32_z(crc, reinterpret_cast<const Bytef*>(labels.data()), labels.size() * sizeof(int32_t));
  return std::to_string(crc);
}

std::string metadata_value(const SafetensorsFile& file, const std::string& key) {
  const auto it = file.metadata.find(key);
  SPRIG_CHECK(it != file.metadata.end(), "no metadata '", key, "'");
  return it->second;
}

// The values of the array `name`, moved out of the file (150 MB of CIFAR-10 pixels need no copy).
template <class T>
std::vector<T> take(SafetensorsFile& file, std::string_view name) {
  const auto it =
      std::find_if(file.buffers.begin(), file.buffers.end(), [&](const NamedBuffer& b) { return b.name() == name; });
  SPRIG_CHECK(it != file.buffers.end(), "no array '", name, "'");
  return std::move(*it).template release<T>();
}

// The dataset in an entry known to be this source's; throws saying what is wrong otherwise.
Dataset read_entry(const std::string& cache_file, const std::string& fingerprint) {
  SafetensorsFile file = load_safetensors(cache_file);
  SPRIG_CHECK(metadata_value(file, "format") == kFormat, "format '", metadata_value(file, "format"), "', expected ",
              kFormat);
  SPRIG_CHECK(metadata_value(file, "source") == fingerprint, "stale: decoded from '", metadata_value(file, "source"),
              "', the source is now '", fingerprint, "'");
  const Shape shape = file.at("pixels").shape();
  SPRIG_CHECK(shape.size() == 4 && file.at("labels").shape() == Shape{shape[0]}, "pixels ", shape, " and labels ",
              file.at("labels").shape(), " are not [N, C, H, W] and [N]");
  std::vector<uint8_t> pixels = take<uint8_t>(file, "pixels");
  std::vector<int32_t> labels = take<int32_t>(file, "labels");
  SPRIG_CHECK(metadata_value(file, "crc32") == data_crc(pixels, labels), "the data's CRC-32 does not match");
  return Dataset(std::move(pixels), std::move(labels), shape[1], shape[2], shape[3],
                 std::stoi(metadata_value(file, "num_classes")));
}

}  // namespace

std::string source_fingerprint(const std::string& path) {
  const fs::path absolute = fs::absolute(path);
  std::error_code error;
  SPRIG_CHECK(fs::exists(absolute, error), "source_fingerprint: '", path, "' does not exist");
  return absolute.string() + ": " +
         (fs::is_directory(absolute) ? folder_fingerprint(absolute) : file_fingerprint(absolute));
}

void save_decoded(const std::string& cache_file, const std::string& fingerprint, const Dataset& dataset) {
  fs::create_directories(fs::path(cache_file).parent_path());
  const Shape shape{dataset.size(), dataset.channels(), dataset.height(), dataset.width()};
  save_safetensors(
      cache_file,
      {NamedBuffer("pixels", shape, dataset.pixels()), NamedBuffer("labels", {dataset.size()}, dataset.labels())},
      {{"format", kFormat},
       {"source", fingerprint},
       {"num_classes", std::to_string(dataset.num_classes())},
       {"crc32", data_crc(dataset.pixels(), dataset.labels())}});
}

std::optional<Dataset> load_decoded(const std::string& cache_file, const std::string& fingerprint, std::string* why) {
  std::error_code error;
  if (!fs::exists(cache_file, error)) {
    if (why) *why = "no cache file '" + cache_file + "'";
    return std::nullopt;
  }
  try {
    return read_entry(cache_file, fingerprint);
  } catch (const std::exception& e) {  // a damaged entry is only a cache miss
    if (why) *why = "cache file '" + cache_file + "' unusable: " + e.what();
    return std::nullopt;
  }
}

Dataset load_or_decode(const std::string& cache_file, const std::string& fingerprint,
                       const std::function<Dataset()>& decode) {
  if (std::optional<Dataset> cached = load_decoded(cache_file, fingerprint)) return std::move(*cached);
  Dataset dataset = decode();
  try {
    save_decoded(cache_file, fingerprint, dataset);
  } catch (const std::exception& e) {
    std::cerr << "note: not caching the decoded dataset: " << e.what() << "\n";
  }
  return dataset;
}

}  // namespace sprig
