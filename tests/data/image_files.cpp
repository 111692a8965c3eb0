#include "image_files.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include <stdexcept>

namespace sprig::test {

namespace {

void append(void* context, void* data, int size) {
  auto* out = static_cast<Bytes*>(context);
  out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
}

// [C, H, W] -> [H, W, C], as the writers want it
Bytes interleave(int channels, int height, int width, const Bytes& pixels) {
  Bytes out(pixels.size());
  const int plane = height * width;
  for (int c = 0; c < channels; ++c)
    for (int j = 0; j < plane; ++j) out[size_t(j * channels + c)] = pixels[size_t(c * plane + j)];
  return out;
}

// Not REQUIRE: fuzz_seeds compiles this file with doctest disabled.
void check_written(int written, const char* format) {
  if (!written) throw std::runtime_error(std::string("stb_image_write cannot encode this ") + format);
}

}  // namespace

Bytes png_bytes(int channels, int height, int width, const Bytes& pixels) {
  Bytes out;
  const Bytes hwc = interleave(channels, height, width, pixels);
  check_written(stbi_write_png_to_func(append, &out, width, height, channels, hwc.data(), width * channels), "PNG");
  return out;
}

Bytes jpg_bytes(int channels, int height, int width, const Bytes& pixels) {
  Bytes out;
  const Bytes hwc = interleave(channels, height, width, pixels);
  check_written(stbi_write_jpg_to_func(append, &out, width, height, channels, hwc.data(), 95), "JPEG");
  return out;
}

Bytes tree_pixels(int index) {
  Bytes pixels(3 * 4 * 5);
  for (size_t j = 0; j < pixels.size(); ++j) pixels[j] = uint8_t(j * 4 + size_t(index) * 17);
  return pixels;
}

std::vector<std::pair<std::string, Bytes>> write_image_tree(const fs::path& root, const std::string& split,
                                                            const std::vector<std::string>& classes, int per_class) {
  std::vector<std::pair<std::string, Bytes>> files;
  int index = 0;
  for (const std::string& name : classes) {
    fs::create_directories(root / split / name);
    for (int k = 0; k < per_class; ++k, ++index) {
      const std::string file = split + "/" + name + "/" + (k < 10 ? "0" : "") + std::to_string(k) + ".png";
      files.push_back({file, png_bytes(3, 4, 5, tree_pixels(index))});
    }
  }
  for (auto it = files.rbegin(); it != files.rend(); ++it) write_bytes((root / it->first).string(), it->second);
  return files;
}

std::vector<TarEntry> tree_entries(const std::vector<std::pair<std::string, Bytes>>& files, const std::string& lead) {
  std::vector<TarEntry> entries;
  for (auto it = files.rbegin(); it != files.rend(); ++it)
    entries.push_back({lead + it->first, std::string(it->second.begin(), it->second.end())});
  return entries;
}

}  // namespace sprig::test
