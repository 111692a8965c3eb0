#include "data/gz_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "tensor/error.h"

namespace sprig {

namespace {
gzFile as_gz(void* file) { return static_cast<gzFile>(file); }
}  // namespace

GzReader::GzReader(std::string path) : path_(std::move(path)) {
  errno = 0;
  file_ = gzopen(path_.c_str(), "rb");
  SPRIG_CHECK(file_ != nullptr, "cannot open '", path_, "': ", errno ? std::strerror(errno) : "out of memory");
  gzbuffer(as_gz(file_), 1 << 17);  // fewer, larger reads than zlib's 8 KiB default
}

GzReader::~GzReader() { gzclose_r(as_gz(file_)); }

size_t GzReader::read(void* destination, size_t bytes) {
  auto* out = static_cast<unsigned char*>(destination);
  size_t done = 0;
  while (done < bytes) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(bytes - done, INT_MAX));
    const int got = gzread(as_gz(file_), out + done, chunk);
    int status = Z_OK;
    const char* message = gzerror(as_gz(file_), &status);
    // Z_BUF_ERROR: the gzip stream ended early (a truncated .gz file).
    SPRIG_CHECK(got >= 0 && status == Z_OK, "cannot read '", path_, "': ",
                status == Z_BUF_ERROR ? "truncated gzip data" : message);
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return done;
}

std::vector<uint8_t> GzReader::read_vector(size_t bytes) {
  std::vector<uint8_t> values;
  while (values.size() < bytes) {
    const size_t have = values.size();
    values.resize(std::min(bytes, std::max<size_t>(2 * have, size_t(1) << 20)));
    const size_t got = read(values.data() + have, values.size() - have);
    if (have + got < values.size()) {
      values.resize(have + got);
      break;
    }
  }
  return values;
}

size_t GzReader::skip(size_t bytes) {
  unsigned char scratch[1 << 14];
  size_t done = 0;
  while (done < bytes) {
    const size_t got = read(scratch, std::min(sizeof scratch, bytes - done));
    if (got == 0) break;
    done += got;
  }
  return done;
}

bool GzReader::at_end() {
  const int c = gzgetc(as_gz(file_));
  if (c == -1) {
    int status = Z_OK;
    const char* message = gzerror(as_gz(file_), &status);
    SPRIG_CHECK(status == Z_OK, "cannot read '", path_, "': ",
                status == Z_BUF_ERROR ? "truncated gzip data" : message);
    return true;
  }
  gzungetc(c, as_gz(file_));
  return false;
}

}  // namespace sprig
