#include "data/tar.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "data/gz_reader.h"
#include "tensor/error.h"

namespace sprig {

namespace {

constexpr size_t kBlock = 512;
using Header = std::array<uint8_t, kBlock>;

std::string field(const Header& h, size_t offset, size_t length) {  // NUL-terminated or full width
  const char* p = reinterpret_cast<const char*>(h.data() + offset);
  return std::string(p, strnlen(p, length));
}

uint64_t octal(const Header& h, size_t offset, size_t length, const std::string& path, const char* what) {
  uint64_t value = 0;
  size_t i = 0;
  while (i < length && h[offset + i] == ' ') ++i;
  for (; i < length && h[offset + i] >= '0' && h[offset + i] <= '7'; ++i) value = value * 8 + (h[offset + i] - '0');
  SPRIG_CHECK(i == length || h[offset + i] == ' ' || h[offset + i] == 0, "tar '", path, "': the ", what,
              " field is not an octal number: '", field(h, offset, length), "'");
  return value;
}

bool checksum_ok(const Header& h, const std::string& path) {  // sum of all bytes, the checksum field read as spaces
  uint64_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? uint8_t(' ') : h[i];
  return sum == octal(h, 148, 8, path, "checksum");
}

// A pax extended header's "path" record ("<length> path=<name>\n"), or "" if it has none.
std::string pax_path(const std::vector<uint8_t>& records) {
  const std::string_view text(reinterpret_cast<const char*>(records.data()), records.size());
  for (size_t at = 0; at < text.size();) {
    const size_t length = std::strtoull(std::string(text.substr(at, 20)).c_str(), nullptr, 10);
    const size_t space = text.find(' ', at);
    if (space == text.npos || length == 0 || length > text.size() - at || space + 1 >= at + length) break;
    const std::string_view record = text.substr(space + 1, at + length - 1 - (space + 1));  // without the '\n'
    if (record.starts_with("path=")) return std::string(record.substr(5));
    at += length;
  }
  return "";
}

}  // namespace

std::vector<TarFile> read_tar(const std::string& path, const std::function<bool(const std::string&)>& select) {
  GzReader in(path);
  std::vector<TarFile> files;
  std::string long_name;  // from a pax or GNU record, for the entry that follows it
  Header h;
  while (true) {
    const size_t got = in.read(h.data(), kBlock);
    if (got == 0) break;  // no end-of-archive blocks: accept the end anyway
    SPRIG_CHECK(got == kBlock, "tar '", path, "': truncated header (", got, " of 512 bytes)");
    if (h[0] == 0) break;  // an all-zero block ends the archive
    SPRIG_CHECK(checksum_ok(h, path), "tar '", path, "': bad header checksum for entry '", field(h, 0, 100), "'");
    const uint64_t size = octal(h, 124, 12, path, "size");
    const char type = char(h[156]);
    std::string name = field(h, 0, 100);
    if (std::memcmp(h.data() + 257, "ustar", 5) == 0 && h[345] != 0) name = field(h, 345, 155) + "/" + name;
    if (!long_name.empty()) name = std::move(long_name);
    long_name.clear();

    const bool regular = type == '0' || type == '\0' || type == '7';
    const bool keep = type == 'x' || type == 'L' || (regular && select(name));
    std::vector<uint8_t> bytes;
    const size_t stored = keep ? (bytes = in.read_vector(size)).size() : in.skip(size);
    SPRIG_CHECK(stored == size, "tar '", path, "': truncated data for '", name, "' (", stored, " of ", size, " bytes)");
    const size_t padding = (kBlock - size % kBlock) % kBlock;
    SPRIG_CHECK(in.skip(padding) == padding, "tar '", path, "': truncated padding after '", name, "'");
    if (type == 'x') long_name = pax_path(bytes);
    else if (type == 'L') long_name = std::string(bytes.begin(), std::find(bytes.begin(), bytes.end(), 0));
    else if (keep) files.push_back({std::move(name), std::move(bytes)});
  }
  return files;
}

}  // namespace sprig
