#include "data/image_decode.h"

#include <climits>
#include <memory>

#include "tensor/error.h"

// The one translation unit that compiles stb_image; only the formats image folders use, decoded
// from memory (files are read by the caller, archives hold them in memory already).
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS (1 << 14)
#include <stb_image.h>

namespace sprig {

namespace {

// interleaved: [H, W, C] -> planar: [C, H, W]
void interleaved_to_planar(const uint8_t* interleaved, int64_t channels, int64_t plane, uint8_t* planar) {
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t j = 0; j < plane; ++j) planar[c * plane + j] = interleaved[j * channels + c];
}

}  // namespace

DecodedImage decode_image(const uint8_t* bytes, size_t size, const std::string& name) {
  SPRIG_CHECK(size > 0 && size <= size_t(INT_MAX), "image '", name, "': cannot decode ", size, " bytes");
  int width = 0, height = 0, channels = 0;
  // stb_image's failure reason is thread-local, so parallel decoding reports each image's own.
  std::unique_ptr<uint8_t, void (*)(void*)> interleaved(
      stbi_load_from_memory(bytes, int(size), &width, &height, &channels, 0), stbi_image_free);
  SPRIG_CHECK(interleaved, "image '", name, "': cannot decode it as JPEG or PNG (", stbi_failure_reason(), ")");
  DecodedImage image{channels, height, width, {}};
  image.pixels.resize(size_t(channels) * size_t(height) * size_t(width));
  interleaved_to_planar(interleaved.get(), channels, int64_t(height) * width, image.pixels.data());
  return image;
}

}  // namespace sprig
