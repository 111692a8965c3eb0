#include "data/image_decode.h"

#include <climits>
#include <cstdlib>
#include <memory>

#include "data/jpeg_guard.h"
#include "tensor/error.h"

// The one translation unit that compiles stb_image; only the formats image folders use, decoded
// from memory (files are read by the caller, archives hold them in memory already). Allocations are
// zeroed: Debian's version (2022-09) leaves its JPEG decoder state uninitialised, so a scan naming
// a Huffman table the file never defined read garbage indices (stb issue #1289; found by fuzzing).
#define STB_IMAGE_IMPLEMENTATION
#define STBI_MALLOC(size) std::calloc(1, size)
#define STBI_REALLOC(pointer, size) std::realloc(pointer, size)
#define STBI_FREE(pointer) std::free(pointer)
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#include <stb_image.h>

namespace sprig {

namespace {

// Datasets hold small images; a few hundred bytes claiming 16384 x 16384 pixels must not make every
// decoding thread allocate a gigabyte.
constexpr int64_t kMaxPixels = int64_t(1) << 25;

// interleaved: [H, W, C] -> planar: [C, H, W]
void interleaved_to_planar(const uint8_t* interleaved, int64_t channels, int64_t plane, uint8_t* planar) {
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t j = 0; j < plane; ++j) planar[c * plane + j] = interleaved[j * channels + c];
}

}  // namespace

DecodedImage decode_image(const uint8_t* bytes, size_t size, const std::string& name) {
  SPRIG_CHECK(size > 0 && size <= size_t(INT_MAX), "image '", name, "': cannot decode ", size, " bytes");
  SPRIG_CHECK(jpeg_huffman_tables_fit(bytes, size), "image '", name,
              "': corrupt JPEG (a Huffman table declares more than 256 codes)");
  int width = 0, height = 0, channels = 0;
  if (stbi_info_from_memory(bytes, int(size), &width, &height, &channels))
    SPRIG_CHECK(int64_t(width) * height <= kMaxPixels, "image '", name, "': ", height, "x", width,
                " (HxW) pixels are more than the ", kMaxPixels, " a dataset image may have");
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
