#pragma once
// Where the shared test data lies (shared/data/README.md): $SPRIG_SHARED_DATA, else shared/data
// beside the repository as CI lays it out. Tests that need it skip themselves when a file is absent.
#include <cstdlib>
#include <filesystem>

namespace sprig::test {

inline std::filesystem::path shared_data_dir() {
  const char* env = std::getenv("SPRIG_SHARED_DATA");
  return env ? std::filesystem::path(env) : std::filesystem::path(SPRIG_SOURCE_DIR) / ".." / "shared" / "data";
}

}  // namespace sprig::test
