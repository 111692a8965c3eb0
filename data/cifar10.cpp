#include "data/cifar10.h"

#include <filesystem>

#include "data/cifar.h"
#include "data/decoded_cache.h"
#include "data/image_folder.h"
#include "data/md5.h"
#include "tensor/error.h"

namespace sprig {

namespace fs = std::filesystem;

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : " ") + name;
  return out;
}

Dataset decode_checked(const EncodedImages& encoded) {
  SPRIG_CHECK(encoded.classes == cifar10_classes(), "cifar10: '", encoded.where, "' has the classes [",
              joined(encoded.classes), "] but CIFAR-10's are [", joined(cifar10_classes()), "]");
  return decode_images(encoded);
}

// The cache entry of one split of one source: sources are told apart by a hash of their path.
std::string cache_file(const std::string& cache_folder, const std::string& source, const std::string& split) {
  const std::string path = fs::absolute(source).string();
  return (fs::path(cache_folder) / ("cifar10-" + split + "-" + md5_hex(path).substr(0, 12) + ".safetensors")).string();
}

// decode(), through the cache when there is one. A missing source is left to decode() to report.
template <class Decode>
Dataset cached(const std::string& cache_folder, const std::string& source, const std::string& split, Decode decode) {
  std::error_code error;
  if (cache_folder.empty() || !fs::exists(source, error)) return decode();
  return load_or_decode(cache_file(cache_folder, source, split), source_fingerprint(source) + ", split " + split,
                        decode);
}

Dataset load_binary(const std::string& dir, const std::string& split) {
  const std::vector<std::string> files = cifar_binary_files(dir, split);
  SPRIG_CHECK(!files.empty(), "cifar10: '", dir, "' has no ", split == "train" ? "data_batch_*.bin" : "test_batch.bin",
              " (or .gz)");
  return read_cifar_binary(files);
}

}  // namespace

const std::vector<std::string>& cifar10_classes() {
  static const std::vector<std::string> names = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                 "dog",      "frog",       "horse", "ship", "truck"};
  return names;
}

Cifar10Layout cifar10_layout(const std::string& dir) {
  std::error_code error;
  const fs::path root(dir);
  if (fs::is_directory(root / "train", error) || fs::is_directory(root / "test", error)) return Cifar10Layout::folder;
  if (fs::is_regular_file(root / kCifar10Archive, error)) return Cifar10Layout::archive;
  if (!cifar_binary_files(dir, "train").empty() || !cifar_binary_files(dir, "test").empty())
    return Cifar10Layout::binary;
  return Cifar10Layout::none;
}

Dataset load_cifar10(const std::string& dir, const std::string& split, const std::string& cache_folder) {
  SPRIG_CHECK(split == "train" || split == "test", "load_cifar10: split must be \"train\" or \"test\" but got \"",
              split, "\"");
  switch (cifar10_layout(dir)) {
    case Cifar10Layout::folder: {
      const std::string source = (fs::path(dir) / split).string();
      return cached(cache_folder, source, split, [&] { return decode_checked(read_image_folder(dir, split)); });
    }
    case Cifar10Layout::archive: {
      const std::string source = (fs::path(dir) / kCifar10Archive).string();
      return cached(cache_folder, source, split, [&] { return decode_checked(read_image_archive(source, split)); });
    }
    case Cifar10Layout::binary:
      return load_binary(dir, split);
    case Cifar10Layout::none:
      break;
  }
  throw Error(detail::concat("cifar10: '", dir, "' holds neither train/ and test/ class folders, nor ", kCifar10Archive,
                             ", nor data_batch_*.bin and test_batch.bin"));
}

}  // namespace sprig
