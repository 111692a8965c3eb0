#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "apps/common/files.h"
#include "tensor/error.h"

using namespace sprig::cli;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("sprig_test_files_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("files: write_text_atomic writes, replaces, and fails naming the path") {
  TempDir dir;
  const std::string path = (dir.path / "config.json").string();
  write_text_atomic(path, "{\"a\": 1}\n");
  CHECK(read_text(path) == "{\"a\": 1}\n");
  write_text_atomic(path, "");
  CHECK(read_text(path).empty());
  const std::string bad = (dir.path / "missing" / "x.json").string();
  CHECK_THROWS_WITH_AS(write_text_atomic(bad, "x"), doctest::Contains(bad.c_str()), sprig::Error);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);  // no temp files left
}

TEST_CASE("files: prepare_output_dir creates the folder or says why it cannot") {
  TempDir dir;
  const fs::path nested = dir.path / "runs" / "a" / "b";
  CHECK(prepare_output_dir(nested.string()) == nested);
  CHECK(fs::is_directory(nested));
  CHECK(fs::is_empty(nested));                           // the write probe is gone
  CHECK(prepare_output_dir(nested.string()) == nested);  // already there: fine

  const std::string file = (dir.path / "file").string();
  std::ofstream(file) << "x";
  CHECK_THROWS_WITH_AS(prepare_output_dir(file), doctest::Contains("exists but is not a directory"), sprig::Error);
  CHECK_THROWS_WITH_AS(prepare_output_dir(file + "/sub"), doctest::Contains("cannot create output directory"),
                       sprig::Error);
  CHECK_THROWS_AS(prepare_output_dir(""), sprig::Error);
  if (::geteuid() != 0) {  // root writes through permission bits
    const fs::path locked = dir.path / "locked";
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    CHECK_THROWS_WITH_AS(prepare_output_dir(locked.string()), doctest::Contains("is not writable"), sprig::Error);
    fs::permissions(locked, fs::perms::owner_all);
  }
}
