#include "data/image_folder.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "data/image_decode.h"
#include "data/tar.h"
#include "tensor/error.h"

namespace sprig {

namespace fs = std::filesystem;

namespace {

bool is_hidden(const std::string& name) { return name.empty() || name[0] == '.'; }

bool is_image_name(const std::string& name) {
  std::string extension = fs::path(name).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return !is_hidden(name) && (extension == ".jpg" || extension == ".jpeg" || extension == ".png");
}

std::vector<uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  SPRIG_CHECK(in, "image folder: cannot open '", path.string(), "': ", std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  SPRIG_CHECK(!in.bad(), "image folder: cannot read '", path.string(), "'");
  return bytes;
}

// The entries of `dir` for which keep(entry) holds, sorted by name.
template <class Keep>
std::vector<fs::path> sorted_entries(const fs::path& dir, Keep keep) {
  std::vector<fs::path> paths;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir))
    if (!is_hidden(entry.path().filename().string()) && keep(entry)) paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  return paths;
}

// archive path "[lead/]<split>/<class>/<file>" -> {class, file}, or nothing if it is not one of the split's images.
bool split_image_entry(const std::string& path, const std::string& split, std::string& class_name, std::string& file) {
  std::vector<std::string> parts;
  for (size_t at = 0; at <= path.size();) {
    const size_t slash = std::min(path.find('/', at), path.size());
    const std::string part = path.substr(at, slash - at);
    if (!part.empty() && part != ".") parts.push_back(part);
    at = slash + 1;
  }
  const size_t n = parts.size();
  if (n < 3 || parts[n - 3] != split || is_hidden(parts[n - 2]) || !is_image_name(parts[n - 1])) return false;
  class_name = parts[n - 2];
  file = parts[n - 1];
  return true;
}

// "image 'b' is ... but 'a' is ...", or "" when `image` matches `first`.
std::string shape_mismatch(const DecodedImage& image, const DecodedImage& first, const std::string& name,
                           const std::string& first_name) {
  if (image.channels != first.channels)
    return detail::concat("image '", name, "' has ", image.channels, " channel(s) but '", first_name, "' has ",
                          first.channels, ": mixed channel counts");
  if (image.height != first.height || image.width != first.width)
    return detail::concat("image '", name, "' is ", image.height, "x", image.width, " (HxW) but '", first_name, "' is ",
                          first.height, "x", first.width, ": all images must share one size");
  return "";
}

}  // namespace

EncodedImages read_image_folder(const std::string& root, const std::string& split) {
  const fs::path split_dir = fs::path(root) / split;
  std::error_code error;
  SPRIG_CHECK(fs::is_directory(split_dir, error), "image folder: '", split_dir.string(), "' is not a folder");
  EncodedImages out{split_dir.string(), {}, {}};
  const auto is_dir = [](const fs::directory_entry& e) { return e.is_directory(); };
  const auto is_image = [](const fs::directory_entry& e) { return is_image_name(e.path().filename().string()); };
  for (const fs::path& class_dir : sorted_entries(split_dir, is_dir)) {
    const std::vector<fs::path> files = sorted_entries(class_dir, is_image);
    SPRIG_CHECK(!files.empty(), "image folder: class folder '", class_dir.string(),
                "' holds no .jpg, .jpeg or .png images");
    for (const fs::path& file : files)
      out.images.push_back({file.string(), int32_t(out.classes.size()), read_file(file)});
    out.classes.push_back(class_dir.filename().string());
  }
  SPRIG_CHECK(!out.classes.empty(), "image folder: '", split_dir.string(), "' has no class folders (expected ",
              split_dir.string(), "/<class>/*.jpg)");
  return out;
}

EncodedImages read_image_archive(const std::string& archive, const std::string& split) {
  std::map<std::pair<std::string, std::string>, std::vector<uint8_t>> found;  // (class, file) -> bytes, sorted
  for (TarFile& entry : read_tar(archive, [&](const std::string& name) {
         std::string class_name, file;
         return split_image_entry(name, split, class_name, file);
       })) {
    std::string class_name, file;
    split_image_entry(entry.name, split, class_name, file);
    found[{class_name, entry.name}] = std::move(entry.bytes);
  }
  EncodedImages out{archive + ":" + split, {}, {}};
  SPRIG_CHECK(!found.empty(), "image archive '", archive, "' has no images under ", split, "/<class>/ (expected ",
              split, "/<class>/*.jpg)");
  for (auto& [key, bytes] : found) {
    if (out.classes.empty() || out.classes.back() != key.first) out.classes.push_back(key.first);
    out.images.push_back({archive + ":" + key.second, int32_t(out.classes.size() - 1), std::move(bytes)});
  }
  return out;
}

Dataset decode_images(const EncodedImages& encoded) {
  const std::vector<EncodedImage>& images = encoded.images;
  SPRIG_CHECK(!images.empty(), "image folder '", encoded.where, "': no images");
  const DecodedImage first = decode_image(images[0].bytes.data(), images[0].bytes.size(), images[0].name);
  const int64_t n = int64_t(images.size()), numel = int64_t(first.pixels.size());
  std::vector<uint8_t> pixels(size_t(n * numel));
  std::vector<std::string> problems(images.size());  // filled in parallel, reported in order
#pragma omp parallel for schedule(static) if (n > 64)
  for (int64_t i = 0; i < n; ++i) {
    const EncodedImage& source = images[size_t(i)];
    try {
      const DecodedImage image = decode_image(source.bytes.data(), source.bytes.size(), source.name);
      problems[size_t(i)] = shape_mismatch(image, first, source.name, images[0].name);
      if (problems[size_t(i)].empty()) std::memcpy(pixels.data() + i * numel, image.pixels.data(), size_t(numel));
    } catch (const std::exception& e) {
      problems[size_t(i)] = e.what();
    }
  }
  for (const std::string& problem : problems) SPRIG_CHECK(problem.empty(), problem);
  std::vector<int32_t> labels;
  for (const EncodedImage& image : images) labels.push_back(image.label);
  return Dataset(std::move(pixels), std::move(labels), first.channels, first.height, first.width,
                 int32_t(encoded.classes.size()));
}

}  // namespace sprig
