// Fuzzes decode_image (data/image_decode.h): stb_image's JPEG and PNG decoders behind sprig's guards
// (data/jpeg_guard.h), which the first runs of this target made necessary.
#include <cstdint>

#include "data/image_decode.h"
#include "fuzz_common.h"

using namespace sprig;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::expect_only_sprig_errors([&] {
    const DecodedImage image = decode_image(data, size, "fuzz");
    FUZZ_ASSERT(image.channels >= 1 && image.channels <= 4 && image.height > 0 && image.width > 0);
    FUZZ_ASSERT(image.pixels.size() == size_t(image.channels * image.height * image.width));
  });
  return 0;
}
