#pragma once
// Grey-scale PNG files (through stb_image_write), written atomically.
#include <cstdint>
#include <string>
#include <vector>

namespace sprig::cli {

// pixels: height x width bytes, row-major; each pixel becomes a scale x scale block.
void write_gray_png(const std::string& path, int64_t width, int64_t height, const std::vector<uint8_t>& pixels,
                    int scale = 1);

}  // namespace sprig::cli
