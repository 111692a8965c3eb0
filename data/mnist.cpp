#include "data/mnist.h"

#include <filesystem>

#include "data/idx.h"

namespace sprig {

namespace fs = std::filesystem;

const std::vector<std::string>& mnist_file_names() {
  static const std::vector<std::string> names = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  return names;
}

std::string find_idx_file(const std::string& dir, const std::string& name) {
  for (const fs::path& path : {fs::path(dir) / name, fs::path(dir) / (name + ".gz")}) {
    std::error_code error;
    if (fs::is_regular_file(path, error)) return path.string();
  }
  return "";
}

std::vector<std::string> missing_mnist_files(const std::string& dir) {
  std::vector<std::string> missing;
  for (const std::string& name : mnist_file_names())
    if (find_idx_file(dir, name).empty()) missing.push_back(name + "(.gz)");
  return missing;
}

Dataset load_mnist(const std::string& dir, const std::string& split) {
  SPRIG_CHECK(split == "train" || split == "test", "load_mnist: split must be \"train\" or \"test\" but got \"", split,
              "\"");
  std::error_code error;
  SPRIG_CHECK(fs::is_directory(dir, error), "load_mnist: directory '", dir, "' does not exist");
  const std::string prefix = split == "train" ? "train" : "t10k";
  std::string paths[2];
  const char* kinds[2] = {"-images-idx3-ubyte", "-labels-idx1-ubyte"};
  for (int i = 0; i < 2; ++i) {
    const std::string name = prefix + kinds[i];
    paths[i] = find_idx_file(dir, name);
    SPRIG_CHECK(!paths[i].empty(), "load_mnist: '", dir, "' has neither ", name, " nor ", name, ".gz");
  }
  return read_idx_dataset(paths[0], paths[1], 10);
}

}  // namespace sprig
