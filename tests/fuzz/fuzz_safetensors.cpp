// Fuzzes load_safetensors (data/safetensors.h); a file it accepts must hold arrays whose bytes match
// their shapes and dtypes, each found again by name.
#include <cstdint>

#include "data/safetensors.h"
#include "fuzz_common.h"

using namespace sprig;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchFile input("safetensors");
  const std::string bytes = fuzz::safetensors_file(data, size);
  const std::string& path = input.write(bytes.data(), bytes.size());
  fuzz::expect_only_sprig_errors([&] {
    const SafetensorsFile file = load_safetensors(path);
    for (const NamedBuffer& buffer : file.buffers) {
      FUZZ_ASSERT(int64_t(buffer.bytes().size()) == buffer.shape().numel() * dtype_size(buffer.dtype()));
      FUZZ_ASSERT(&file.at(buffer.name()) == &buffer);
    }
  });
  return 0;
}
