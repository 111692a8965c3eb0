#include <doctest/doctest.h>

#include <chrono>

#include "data/decoded_cache.h"
#include "data_test_files.h"

using namespace sprig;
using namespace sprig::test;

namespace {

Dataset small_dataset(uint8_t offset) {
  std::vector<uint8_t> pixels(5 * 3 * 2 * 4);
  for (size_t j = 0; j < pixels.size(); ++j) pixels[j] = uint8_t(j + offset);
  return Dataset(std::move(pixels), {0, 1, 2, 1, 0}, 3, 2, 4, 3);
}

void check_same(const Dataset& a, const Dataset& b) {
  CHECK(a.pixels() == b.pixels());
  CHECK(a.labels() == b.labels());
  CHECK(a.example_shape() == b.example_shape());
  CHECK(a.num_classes() == b.num_classes());
}

// Bumps a file's modification time, as editing it would.
void touch_later(const fs::path& path) {
  fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(5));
}

}  // namespace

TEST_CASE("decoded cache: an entry round-trips, and only for the source it was decoded from") {
  TempDir dir;
  const std::string file = dir.file("cache/decoded/set-train.safetensors");
  save_decoded(file, "source A", small_dataset(7));
  const std::optional<Dataset> loaded = load_decoded(file, "source A");
  REQUIRE(loaded);
  check_same(*loaded, small_dataset(7));
  std::string why;
  CHECK(!load_decoded(file, "source B", &why));
  CHECK(contains(why, "stale: decoded from 'source A', the source is now 'source B'"));
  CHECK(!load_decoded(dir.file("absent.safetensors"), "source A", &why));
  CHECK(contains(why, "no cache file '", dir.file("absent.safetensors"), "'"));
}

TEST_CASE("decoded cache: a corrupt entry is a miss, and load_or_decode decodes and rewrites it") {
  TempDir dir;
  const std::string file = dir.file("entry.safetensors");
  save_decoded(file, "src", small_dataset(7));
  Bytes bytes = read_bytes(file);
  std::string why;

  Bytes flipped = bytes;
  flipped[bytes.size() - 30] ^= 0x10;  // a pixel byte: only the CRC can tell
  write_bytes(file, flipped);
  CHECK(!load_decoded(file, "src", &why));
  CHECK(contains(why, "CRC-32 does not match"));

  write_bytes(file, Bytes(bytes.begin(), bytes.end() - 7));  // truncated
  CHECK(!load_decoded(file, "src", &why));
  CHECK(contains(why, "cache file '", file, "' unusable"));
  write_bytes(file, {'j', 'u', 'n', 'k'});
  CHECK(!load_decoded(file, "src", &why));

  int decodes = 0;
  const auto decode = [&] {
    ++decodes;
    return small_dataset(9);
  };
  check_same(load_or_decode(file, "src", decode), small_dataset(9));
  check_same(load_or_decode(file, "src", decode), small_dataset(9));  // now from the rewritten entry
  CHECK(decodes == 1);
  check_same(load_or_decode(file, "changed", decode), small_dataset(9));
  CHECK(decodes == 2);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);  // no temporary files
}

TEST_CASE("decoded cache: an unwritable cache costs only the saving") {
  TempDir dir;
  write_bytes(dir.file("blocker"), {1});  // a file where the cache folder should be
  int decodes = 0;
  const auto decode = [&] {
    ++decodes;
    return small_dataset(3);
  };
  check_same(load_or_decode(dir.file("blocker/decoded/x.safetensors"), "src", decode), small_dataset(3));
  check_same(load_or_decode(dir.file("blocker/decoded/x.safetensors"), "src", decode), small_dataset(3));
  CHECK(decodes == 2);
}

TEST_CASE("decoded cache: a source's fingerprint changes with its contents, and only then") {
  TempDir dir;
  write_bytes(dir.file("a.tar"), {1, 2, 3});
  const std::string file_print = source_fingerprint(dir.file("a.tar"));
  CHECK(contains(file_print, dir.file("a.tar"), ": 3 bytes, modified "));
  CHECK(source_fingerprint(dir.file("a.tar")) == file_print);
  touch_later(dir.path / "a.tar");
  CHECK(source_fingerprint(dir.file("a.tar")) != file_print);

  fs::create_directories(dir.path / "tree" / "cat");
  write_bytes(dir.file("tree/cat/1.png"), {1});
  const std::string folder_print = source_fingerprint(dir.file("tree"));
  CHECK(contains(folder_print, "1 files"));
  CHECK(source_fingerprint(dir.file("tree")) == folder_print);
  touch_later(dir.path / "tree" / "cat" / "1.png");  // a file below the top folder changed
  const std::string touched = source_fingerprint(dir.file("tree"));
  CHECK(touched != folder_print);
  write_bytes(dir.file("tree/cat/2.png"), {2});
  CHECK(source_fingerprint(dir.file("tree")) != touched);
  CHECK(contains(error_of([&] { source_fingerprint(dir.file("none")); }), "'", dir.file("none"), "' does not exist"));
}
