#pragma once
// Decoding one JPEG or PNG held in memory (stb_image), into bytes [C, H, W].
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sprig {

struct DecodedImage {
  int64_t channels = 0, height = 0, width = 0;  // channels as stored: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
  std::vector<uint8_t> pixels;                  // [C, H, W]
};

// Throws sprig::Error naming `name` (a path, or archive:entry) with stb_image's reason when the
// bytes are not a decodable JPEG or PNG.
DecodedImage decode_image(const uint8_t* bytes, size_t size, const std::string& name);

}  // namespace sprig
