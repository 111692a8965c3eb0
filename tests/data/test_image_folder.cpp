#include <doctest/doctest.h>

#include <algorithm>

#include "data/image_decode.h"
#include "data/image_folder.h"
#include "data/jpeg_guard.h"
#include "image_files.h"
#include "tensor/generator.h"
#include "tensor/runtime.h"

using namespace sprig;
using namespace sprig::test;

namespace {

const std::vector<std::string> kClasses = {"ant", "bee", "moth"};

void check_tree_dataset(const Dataset& d, int per_class) {
  REQUIRE(d.size() == int64_t(kClasses.size()) * per_class);
  CHECK(d.example_shape() == Shape{3, 4, 5});
  CHECK(d.num_classes() == 3);
  for (int64_t i = 0; i < d.size(); ++i) {
    CHECK(d.label(i) == i / per_class);
    CHECK(Bytes(d.image(i), d.image(i) + 60) == tree_pixels(int(i)));
  }
}

template <class Read>
std::string error_with_image(const fs::path& root, const std::string& file, const Bytes& bytes, Read read) {
  write_bytes((root / file).string(), bytes);
  return error_of([&] { decode_images(read()); });
}

}  // namespace

TEST_CASE("image folder: classes sorted by name give labels, files sorted within a class, pixels exact (PNG)") {
  TempDir dir;
  write_image_tree(dir.path, "train", kClasses, 12);
  write_bytes(dir.file("train/bee/notes.txt"), {1, 2, 3});  // not an image: ignored
  write_bytes(dir.file("train/readme.md"), {1});            // a file beside the class folders: ignored
  fs::create_directories(dir.path / "train" / ".hidden");   // hidden folders are no class
  const EncodedImages encoded = read_image_folder(dir.path.string(), "train");
  CHECK(encoded.classes == kClasses);
  CHECK(encoded.images[0].name == dir.file("train/ant/00.png"));
  CHECK(encoded.images[13].name == dir.file("train/bee/01.png"));
  check_tree_dataset(decode_images(encoded), 12);
}

TEST_CASE("image folder: a tar or tar.gz archive of the same layout gives the same dataset") {
  TempDir dir;
  const auto files = write_image_tree(dir.path / "tree", "test", kClasses, 3);
  write_image_tree(dir.path / "tree", "train", {"wasp"}, 2);  // the other split is not read
  write_bytes(dir.file("a.tar"), tar_bytes(tree_entries(files, "./")));
  write_gz(dir.file("a.tar.gz"), tar_bytes(tree_entries(files, "set/")));
  for (const char* archive : {"a.tar", "a.tar.gz"}) {
    const EncodedImages encoded = read_image_archive(dir.file(archive), "test");
    CHECK(encoded.classes == kClasses);
    check_tree_dataset(decode_images(encoded), 3);
  }
  CHECK(read_image_archive(dir.file("a.tar"), "test").images[1].name ==
        detail::concat(dir.file("a.tar"), ":./test/ant/01.png"));
  const std::string message = error_of([&] { read_image_archive(dir.file("a.tar"), "train"); });
  CHECK(contains(message, "image archive '", dir.file("a.tar"), "' has no images under train/<class>/"));
}

TEST_CASE("image folder: JPEG and grey images decode; parallel decoding gives the same bytes on 1 and 2 threads") {
  Bytes smooth(3 * 8 * 8);
  for (size_t j = 0; j < smooth.size(); ++j) smooth[j] = uint8_t(100 + j % 64);
  const Bytes jpg = jpg_bytes(3, 8, 8, smooth);
  const DecodedImage image = decode_image(jpg.data(), jpg.size(), "smooth.jpg");
  CHECK(image.channels == 3);
  CHECK(image.height == 8);
  CHECK(image.width == 8);
  int worst = 0;
  for (size_t j = 0; j < smooth.size(); ++j) worst = std::max(worst, std::abs(int(image.pixels[j]) - smooth[j]));
  CHECK(worst < 12);  // lossy, but close
  const Bytes grey = png_bytes(1, 2, 3, {0, 1, 2, 3, 4, 5});
  const DecodedImage g = decode_image(grey.data(), grey.size(), "grey.png");
  CHECK(g.channels == 1);
  CHECK(g.pixels == Bytes{0, 1, 2, 3, 4, 5});

  TempDir dir;
  write_image_tree(dir.path, "train", kClasses, 40);  // 120 images: enough to run in parallel
  const EncodedImages encoded = read_image_folder(dir.path.string(), "train");
  const int threads = num_threads();
  set_num_threads(1);
  const Dataset serial = decode_images(encoded);
  set_num_threads(2);
  const Dataset parallel = decode_images(encoded);
  set_num_threads(threads);
  CHECK(serial.pixels() == parallel.pixels());
  check_tree_dataset(parallel, 40);
}

TEST_CASE("image folder: a corrupt or truncated image is an error naming the file") {
  TempDir dir;
  const auto files = write_image_tree(dir.path, "train", kClasses, 2);
  const auto read = [&] { return read_image_folder(dir.path.string(), "train"); };
  std::string message = error_with_image(dir.path, "train/bee/01.png", {'n', 'o', 't'}, read);
  CHECK(contains(message, "image '", dir.file("train/bee/01.png"), "': cannot decode it as JPEG or PNG"));
  const Bytes& png = files[3].second;
  message =
      error_with_image(dir.path, "train/bee/01.png", Bytes(png.begin(), png.begin() + long(png.size() / 2)), read);
  CHECK(message.find(dir.file("train/bee/01.png")) != std::string::npos);
  message = error_with_image(dir.path, "train/ant/00.png", {}, read);  // the first image, decoded on its own
  CHECK(message.find(dir.file("train/ant/00.png")) != std::string::npos);
}

TEST_CASE("image folder: an image of another size or channel count is an error naming it") {
  TempDir dir;
  write_image_tree(dir.path, "train", kClasses, 2);
  const auto read = [&] { return read_image_folder(dir.path.string(), "train"); };
  std::string message = error_with_image(dir.path, "train/moth/01.png", png_bytes(3, 4, 6, Bytes(72, 9)), read);
  CHECK(contains(message, "image '", dir.file("train/moth/01.png"), "' is 4x6 (HxW) but '",
                 dir.file("train/ant/00.png"), "' is 4x5: all images must share one size"));
  message = error_with_image(dir.path, "train/moth/01.png", png_bytes(1, 4, 5, Bytes(20, 9)), read);
  CHECK(contains(message, "image '", dir.file("train/moth/01.png"), "' has 1 channel(s) but '",
                 dir.file("train/ant/00.png"), "' has 3: mixed channel counts"));
}

TEST_CASE("image folder: missing split, no class folders, an empty class folder or an unreadable file are errors") {
  TempDir dir;
  const auto read = [&] { return read_image_folder(dir.path.string(), "train"); };
  CHECK(contains(error_of(read), "'", dir.file("train"), "' is not a folder"));
  fs::create_directories(dir.path / "train");
  write_bytes(dir.file("train/stray.png"), png_bytes(3, 4, 5, tree_pixels(0)));
  CHECK(contains(error_of(read), "'", dir.file("train"), "' has no class folders"));
  write_image_tree(dir.path, "train", kClasses, 2);
  fs::create_directories(dir.path / "train" / "cat");
  write_bytes(dir.file("train/cat/.DS_Store"), {0});
  CHECK(contains(error_of(read), "class folder '", dir.file("train/cat"), "' holds no .jpg, .jpeg or .png images"));
  fs::remove_all(dir.path / "train" / "cat");
  fs::create_symlink(dir.file("nowhere.png"), dir.file("train/bee/02.png"));  // a dangling link cannot be opened
  CHECK(contains(error_of(read), "cannot open '", dir.file("train/bee/02.png"), "'"));
}

TEST_CASE("image folder: damaged JPEG and PNG bytes end in a decoded image or an error, never a crash") {
  // A small mutation sweep (run it under the sanitizer build): bytes flipped, truncated, both.
  Bytes pixels(3 * 16 * 16);
  for (size_t j = 0; j < pixels.size(); ++j) pixels[j] = uint8_t(j * 37 % 256);
  Generator gen(11);
  for (const Bytes& valid : {jpg_bytes(3, 16, 16, pixels), png_bytes(3, 16, 16, pixels)}) {
    int errors = 0;
    for (int trial = 0; trial < 400; ++trial) {
      Bytes damaged(valid.begin(), valid.begin() + long(trial % 2 ? gen.integer(int64_t(valid.size())) : valid.size()));
      for (int flips = 0; flips < 1 + trial % 4 && !damaged.empty(); ++flips)
        damaged[size_t(gen.integer(int64_t(damaged.size())))] ^= uint8_t(1 + gen.integer(255));
      try {
        const DecodedImage image = decode_image(damaged.data(), damaged.size(), "damaged");
        CHECK(image.pixels.size() == size_t(image.channels * image.height * image.width));
      } catch (const Error& e) {
        ++errors;
        CHECK(contains(e.what(), "image 'damaged'"));
      }
    }
    CHECK(errors > 0);
  }
}

TEST_CASE("image folder: a JPEG Huffman table of more than 256 codes is refused before stb_image overruns on it") {
  const Bytes valid = jpg_bytes(3, 8, 8, Bytes(3 * 8 * 8, 90));
  CHECK(jpeg_huffman_tables_fit(valid.data(), valid.size()));
  const Bytes marker = {0xFF, 0xC4};
  const auto dht = std::search(valid.begin(), valid.end(), marker.begin(), marker.end());
  REQUIRE(dht != valid.end());
  Bytes bad = valid;
  const size_t counts = size_t(dht - valid.begin()) + 5;  // after the marker, the length and the class/id byte
  for (size_t i = 0; i < 16; ++i) bad[counts + i] = 20;   // 320 codes
  CHECK(!jpeg_huffman_tables_fit(bad.data(), bad.size()));
  CHECK(contains(error_of([&] { decode_image(bad.data(), bad.size(), "bad.jpg"); }),
                 "image 'bad.jpg': corrupt JPEG (a Huffman table declares more than 256 codes)"));
  const Bytes png = png_bytes(1, 1, 2, {1, 2});
  CHECK(jpeg_huffman_tables_fit(png.data(), png.size()));  // not a JPEG: left to stb_image
}

TEST_CASE("image folder: a PNG with an empty data chunk first decodes (stb_image copies 0 bytes from null there)") {
  const Bytes pixels = {10, 20, 30, 40, 50, 60};
  const Bytes png = png_bytes(1, 2, 3, pixels);
  // After the 8-byte signature and the 25-byte IHDR chunk: length 0, "IDAT", its CRC-32.
  Bytes with_empty(png.begin(), png.begin() + 33);
  const uint32_t crc = uint32_t(crc32(0, reinterpret_cast<const Bytef*>("IDAT"), 4));
  for (uint8_t byte : Bytes{0, 0, 0, 0, 'I', 'D', 'A', 'T'}) with_empty.push_back(byte);
  for (int shift = 24; shift >= 0; shift -= 8) with_empty.push_back(uint8_t(crc >> shift));
  with_empty.insert(with_empty.end(), png.begin() + 33, png.end());
  CHECK(decode_image(with_empty.data(), with_empty.size(), "empty-idat.png").pixels == pixels);
}
