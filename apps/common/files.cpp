#include "apps/common/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "tensor/atomic_file.h"
#include "tensor/error.h"

namespace sprig::cli {

void write_text_atomic(const std::string& path, std::string_view text) { write_file_atomic(path, {text}); }

std::filesystem::path prepare_output_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  SPRIG_CHECK(!dir.empty(), "output directory: the path is empty");
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    SPRIG_CHECK(!fs::exists(dir, error), "output directory ", dir, " exists but is not a directory");
    fs::create_directories(dir, error);
    SPRIG_CHECK(!error, "cannot create output directory ", dir, ": ", error.message());
  }

  // Permission bits do not tell (root ignores them; read-only mounts ignore them), so try a file.
  const fs::path probe = fs::path(dir) / (".sprig-write-test-" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  SPRIG_CHECK(fd >= 0, "output directory ", dir, " is not writable: ", std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
  return fs::path(dir);
}

}  // namespace sprig::cli
