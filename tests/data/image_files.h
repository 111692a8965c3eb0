#pragma once
// Helpers for the image-folder tests: tiny PNG and JPEG files made with stb_image_write, and
// <root>/<split>/<class>/ trees of them.
#include <cstdint>
#include <string>
#include <vector>

#include "data_test_files.h"

namespace sprig::test {

// pixels: [C, H, W] -> the bytes of a PNG (lossless) or JPEG (quality 95) file.
Bytes png_bytes(int channels, int height, int width, const Bytes& pixels);
Bytes jpg_bytes(int channels, int height, int width, const Bytes& pixels);

// Image `index` of a test tree: 3 channels of 4x5 whose bytes encode (index, position).
Bytes tree_pixels(int index);

// <root>/<split>/<class>/<NN>.png for each class in `classes` (sorted by name) with `per_class`
// images; image k in name order is tree_pixels(k). Files are written in reverse name order, so a
// reader must sort. Returns the files' (path inside root, bytes), in name order.
std::vector<std::pair<std::string, Bytes>> write_image_tree(const fs::path& root, const std::string& split,
                                                            const std::vector<std::string>& classes, int per_class);

// A tree's files as tar entries, each name prefixed with `lead` (e.g. "./" or "set/"), in reverse
// order (archive order need not be sorted).
std::vector<TarEntry> tree_entries(const std::vector<std::pair<std::string, Bytes>>& files, const std::string& lead);

}  // namespace sprig::test
