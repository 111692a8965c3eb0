#pragma once
// Helpers for the data tests: scratch folders and tiny IDX, gzip and tar files written on the spot.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "data/dataset.h"

namespace sprig::test {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// A fresh folder per test (ctest runs cases as parallel processes), removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "sprig_test_data_XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// Sets (or with nullopt unsets) an environment variable for the lifetime of the guard.
class EnvGuard {
 public:
  EnvGuard(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    value ? setenv(name_.c_str(), value->c_str(), 1) : unsetenv(name_.c_str());
  }
  ~EnvGuard() { old_ ? setenv(name_.c_str(), old_->c_str(), 1) : unsetenv(name_.c_str()); }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// The message of the sprig::Error that f throws; empty (and a failed check) if it throws none.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  FAIL_CHECK("expected a sprig::Error");
  return "";
}

// Whether `text` contains the concatenation of `parts`, e.g. contains(message, "'", path, "' is missing").
template <class... Parts>
bool contains(const std::string& text, const Parts&... parts) {
  return text.find(detail::concat(parts...)) != std::string::npos;
}

inline void write_bytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

inline Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_gz(const std::string& path, const Bytes& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, bytes.data(), unsigned(bytes.size()));
  gzclose(file);
}

inline Bytes read_gz_all(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  Bytes out, chunk(1 << 16);
  for (int got; (got = gzread(file, chunk.data(), unsigned(chunk.size()))) > 0;)
    out.insert(out.end(), chunk.begin(), chunk.begin() + got);
  gzclose(file);
  return out;
}

// An IDX file: magic, big-endian sizes, then the values.
inline Bytes idx_bytes(uint32_t magic, const std::vector<uint32_t>& sizes, const Bytes& values) {
  Bytes out;
  auto put = [&](uint32_t x) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(x >> shift));
  };
  put(magic);
  for (uint32_t s : sizes) put(s);
  out.insert(out.end(), values.begin(), values.end());
  return out;
}

// n images of h x w whose pixels encode (image, position), and labels i % 10.
inline Bytes tiny_pixels(uint32_t n, uint32_t h, uint32_t w) {
  Bytes pixels(size_t(n) * h * w);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t((i * 7 + i / (h * w)) % 256);
  return pixels;
}
inline Bytes tiny_labels(uint32_t n) {
  Bytes labels(n);
  for (uint32_t i = 0; i < n; ++i) labels[i] = uint8_t(i % 10);
  return labels;
}

// The four MNIST files in dir, with `train` and `test` examples of 4x3, plain or gzipped.
inline void write_tiny_mnist(const fs::path& dir, uint32_t train, uint32_t test, bool gz) {
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const Bytes& bytes) {
    gz ? write_gz((dir / (name + ".gz")).string(), bytes) : write_bytes((dir / name).string(), bytes);
  };
  write("train-images-idx3-ubyte", idx_bytes(2051, {train, 4, 3}, tiny_pixels(train, 4, 3)));
  write("train-labels-idx1-ubyte", idx_bytes(2049, {train}, tiny_labels(train)));
  write("t10k-images-idx3-ubyte", idx_bytes(2051, {test, 4, 3}, tiny_pixels(test, 4, 3)));
  write("t10k-labels-idx1-ubyte", idx_bytes(2049, {test}, tiny_labels(test)));
}

// n CIFAR-10 binary records (label, then [3, 32, 32] bytes): label i % 10, pixels encoding (record, position).
inline Bytes cifar_records(int n) {
  Bytes out;
  for (int i = 0; i < n; ++i) {
    out.push_back(uint8_t(i % 10));
    for (int j = 0; j < 3072; ++j) out.push_back(uint8_t((j * 3 + i) % 256));
  }
  return out;
}

struct TarEntry {
  std::string name, contents;
  char type = '0';  // regular file; 'x' pax header, 'L' GNU long name, '5' directory
};

// A ustar archive; names over 100 bytes use the prefix field.
inline Bytes tar_bytes(const std::vector<TarEntry>& entries) {
  Bytes out;
  for (const auto& [name, contents, type] : entries) {
    uint8_t h[512] = {};
    auto put = [&](size_t offset, const std::string& text) { std::memcpy(h + offset, text.data(), text.size()); };
    auto octal = [](uint64_t value, int width) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%0*llo", width, static_cast<unsigned long long>(value));
      return std::string(buffer);
    };
    if (name.size() > 100) {
      const size_t cut = name.rfind('/', 155);
      put(345, name.substr(0, cut));
      put(0, name.substr(cut + 1));
    } else {
      put(0, name);
    }
    put(100, octal(0644, 7));
    put(108, octal(0, 7));
    put(116, octal(0, 7));
    put(124, octal(contents.size(), 11));
    put(136, octal(0, 11));
    h[156] = uint8_t(type);
    put(257, "ustar");
    put(263, "00");
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (uint8_t byte : h) sum += byte;
    put(148, octal(sum, 6));
    h[154] = 0;
    out.insert(out.end(), h, h + 512);
    out.insert(out.end(), contents.begin(), contents.end());
    out.resize(out.size() + (512 - contents.size() % 512) % 512, 0);
  }
  out.resize(out.size() + 1024, 0);  // end-of-archive marker
  return out;
}

}  // namespace sprig::test
