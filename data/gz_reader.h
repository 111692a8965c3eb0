#pragma once
// Sequential reader for files that may or may not be gzip-compressed: zlib's gzread passes plain
// files through unchanged, so callers never need to know which kind they were given.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sprig {

class GzReader {
 public:
  explicit GzReader(std::string path);  // throws sprig::Error naming the file if it cannot be opened
  ~GzReader();
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Reads up to `bytes` bytes; returns fewer only at the end of the data. A corrupt or truncated
  // gzip stream throws, naming the file.
  size_t read(void* destination, size_t bytes);
  // Reads up to `bytes` bytes into a vector that grows as data arrives, so that a corrupt size
  // field claiming terabytes fails on the missing data instead of on one giant allocation.
  std::vector<uint8_t> read_vector(size_t bytes);
  // Reads and discards up to `bytes` bytes; returns how many there were.
  size_t skip(size_t bytes);
  bool at_end();  // no byte left to read

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* file_;  // gzFile, kept opaque so zlib.h stays out of the headers
};

}  // namespace sprig
