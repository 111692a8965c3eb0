// Fuzzes read_tar (data/tar.h), keeping every regular file and then keeping none (the skipping path).
#include <cstdint>

#include "data/tar.h"
#include "fuzz_common.h"

using namespace sprig;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchFile input("tar");
  const std::string& path = input.write(data, size);
  fuzz::expect_only_sprig_errors([&] {
    size_t kept_bytes = 0;
    for (const TarFile& file : read_tar(path, [](const std::string&) { return true; })) kept_bytes += file.bytes.size();
    const bool gzipped = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    FUZZ_ASSERT(gzipped || kept_bytes <= size);  // only a gzip stream expands
  });
  fuzz::expect_only_sprig_errors(
      [&] { FUZZ_ASSERT(read_tar(path, [](const std::string&) { return false; }).empty()); });
  return 0;
}
