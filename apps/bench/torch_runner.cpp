#include "torch_runner.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace sprig::bench {

nlohmann::json run_torch_twin(const std::string& python, const std::string& mode, int64_t threads, double min_time,
                              const std::string& args) {
  const std::filesystem::path script = std::filesystem::path(SPRIG_SOURCE_DIR) / "apps/bench/torch_twin.py";
  const std::string out = (std::filesystem::temp_directory_path() / ("sprig_torch_twin_" + mode + ".json")).string();
  const std::string command = "OPENBLAS_NUM_THREADS=1 '" + python + "' '" + script.string() + "' " + mode +
                              " --threads " + std::to_string(threads) + " --min-time " + std::to_string(min_time) +
                              " " + args + " --json '" + out + "' > /dev/null";
  if (std::system(command.c_str()) != 0) {
    std::cerr << "warning: the PyTorch twin did not run (" << command << "); showing sprig alone\n";
    return nullptr;
  }
  std::ifstream file(out);
  return nlohmann::json::parse(file)["results"];
}

}  // namespace sprig::bench
