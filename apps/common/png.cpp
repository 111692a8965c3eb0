#include "apps/common/png.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb/stb_image_write.h>

#include "tensor/atomic_file.h"
#include "tensor/error.h"

namespace sprig::cli {

void write_gray_png(const std::string& path, int64_t width, int64_t height, const std::vector<uint8_t>& pixels,
                    int scale) {
  SPRIG_CHECK(width > 0 && height > 0 && scale > 0 && int64_t(pixels.size()) == width * height, "write_gray_png: ",
              pixels.size(), " pixels for ", width, "x", height, " at scale ", scale, " (", path, ")");
  const int64_t w = width * scale, h = height * scale;
  std::vector<uint8_t> scaled(size_t(w * h));
  for (int64_t r = 0; r < h; ++r)
    for (int64_t c = 0; c < w; ++c) scaled[size_t(r * w + c)] = pixels[size_t((r / scale) * width + c / scale)];
  std::string encoded;
  const auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
  };
  SPRIG_CHECK(stbi_write_png_to_func(append, &encoded, int(w), int(h), 1, scaled.data(), int(w)) != 0,
              "write_gray_png: encoding failed for ", path);
  write_file_atomic(path, {encoded});
}

}  // namespace sprig::cli
