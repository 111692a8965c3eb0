#pragma once
// Shared by the fuzz targets. The readers take file paths, so each input is written to an in-memory
// file (memfd, one per process, rewritten for every input: a disk file would make the fuzzers wait
// on the file system) and read back through its /proc path. A sprig::Error is the expected way for a
// reader to refuse bad bytes; anything else (another exception escaping, a crash, a sanitizer
// report, a broken invariant below) is a finding that libFuzzer saves and reports.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nn/parameter_set.h"
#include "nn/zoo.h"
#include "optim/sgd.h"
#include "tensor/error.h"

namespace sprig::fuzz {

// A file that lives in memory for the life of the process; `name` only labels it.
class ScratchFile {
 public:
  explicit ScratchFile(const char* name) : fd_(::memfd_create(name, MFD_CLOEXEC)) {
    if (fd_ < 0) fail("memfd_create");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~ScratchFile() { ::close(fd_); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  // Replaces the contents with `size` bytes and returns the path to read them from.
  const std::string& write(const void* data, size_t size) {
    if (::ftruncate(fd_, 0) != 0) fail("ftruncate");
    for (size_t done = 0; done < size;) {
      const ssize_t n = ::pwrite(fd_, static_cast<const char*>(data) + done, size - done, off_t(done));
      if (n <= 0) fail("pwrite");
      done += size_t(n);
    }
    return path_;
  }

 private:
  [[noreturn]] static void fail(const char* what) {  // the machine's fault, not the reader's: stop
    std::perror(what);
    std::exit(2);
  }
  int fd_;
  std::string path_;
};

// Runs `read`, swallowing the sprig::Error with which a reader refuses bad input.
template <class F>
void expect_only_sprig_errors(F&& read) {
  try {
    read();
  } catch (const Error&) {
  }
}

// The safetensors and checkpoint targets take their input in one of two encodings, chosen by the
// first byte; this returns the file an input stands for:
//   odd first byte:  the rest is the file as is (mutations can damage the 8-byte header length);
//   even first byte: the rest is the JSON header, a NUL, then the data section, and the header
//                    length is computed, so mutations can grow or shrink the header freely.
inline std::string safetensors_file(const uint8_t* data, size_t size) {
  if (size == 0) return "";
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 1) return rest;
  const size_t nul = std::min(rest.find('\0'), rest.size());
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i) file[i] = char(uint64_t(nul) >> (8 * i));
  return file + rest.substr(0, nul) + rest.substr(std::min(nul + 1, rest.size()));
}

// An invariant a successful read must satisfy; a violation aborts, which libFuzzer reports.
#define FUZZ_ASSERT(cond)                                                                   \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)

// The model the checkpoint target loads into, and whose checkpoints seed it: mlp_4 on [1, 2, 2]
// inputs (70 parameters) with SGD momentum, so every kind of checkpoint array is present.
struct CheckpointModel {
  Generator gen{1};
  nn::ModulePtr model = nn::make_model({.name = "mlp_4", .input = {1, 2, 2}}, gen);
  nn::ParameterSet parameters{*model};
  optim::Sgd optimizer{parameters, {.momentum = 0.9}};
};

}  // namespace sprig::fuzz
