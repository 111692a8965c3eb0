#include "tensor/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tensor/error.h"

namespace sprig {

namespace {

// Writes all of `bytes`, resuming after short writes and signals; returns 0 or the errno.
int write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace

void write_file_atomic(const std::string& path, const std::vector<std::string_view>& parts) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  SPRIG_CHECK(fd >= 0, "cannot write ", path, ": cannot create ", temp, ": ", std::strerror(errno));
  int error = 0;
  for (std::string_view part : parts)
    if (!error) error = write_all(fd, part);
  if (!error && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && !error) error = errno;
  if (!error && std::rename(temp.c_str(), path.c_str()) != 0) error = errno;
  if (error) {
    ::unlink(temp.c_str());
    throw Error(detail::concat("cannot write ", path, ": ", std::strerror(error)));
  }
}

}  // namespace sprig
