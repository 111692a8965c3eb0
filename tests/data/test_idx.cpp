#include <doctest/doctest.h>

#include "data/idx.h"
#include "data/mnist.h"
#include "data_test_files.h"

using namespace sprig;
using namespace sprig::test;

TEST_CASE("idx: a good pair of files loads as [N, 1, H, W] bytes and labels") {
  TempDir dir;
  write_bytes(dir.file("img"), idx_bytes(2051, {5, 4, 3}, tiny_pixels(5, 4, 3)));
  write_bytes(dir.file("lab"), idx_bytes(2049, {5}, tiny_labels(5)));
  const IdxArray images = read_idx(dir.file("img"), kIdxImagesMagic);
  CHECK(images.sizes == std::vector<int64_t>{5, 4, 3});
  CHECK(images.values == tiny_pixels(5, 4, 3));
  const Dataset d = read_idx_dataset(dir.file("img"), dir.file("lab"), 10);
  CHECK(d.size() == 5);
  CHECK(d.example_shape() == Shape{1, 4, 3});
  CHECK(d.num_classes() == 10);
  CHECK(d.pixels() == tiny_pixels(5, 4, 3));
  CHECK(d.labels() == std::vector<int32_t>{0, 1, 2, 3, 4});
  CHECK(d.image(2)[0] == tiny_pixels(5, 4, 3)[24]);
}

TEST_CASE("idx: gzipped files read the same as plain ones") {
  TempDir dir;
  write_tiny_mnist(dir.path / "plain", 7, 3, false);
  write_tiny_mnist(dir.path / "gz", 7, 3, true);
  for (const char* split : {"train", "test"}) {
    const Dataset plain = load_mnist((dir.path / "plain").string(), split);
    const Dataset gz = load_mnist((dir.path / "gz").string(), split);
    CHECK(plain.size() == (split == std::string("train") ? 7 : 3));
    CHECK(gz.pixels() == plain.pixels());
    CHECK(gz.labels() == plain.labels());
  }
}

TEST_CASE("idx: wrong magic names the file, the expected and the found magic") {
  TempDir dir;
  write_bytes(dir.file("lab"), idx_bytes(2049, {5}, tiny_labels(5)));
  const std::string message = error_of([&] { read_idx(dir.file("lab"), kIdxImagesMagic); });
  CHECK(message.find(dir.file("lab")) != std::string::npos);
  CHECK(message.find("expected magic 2051 (images) but found 2049 (labels)") != std::string::npos);
  write_bytes(dir.file("junk"), {'h', 'e', 'l', 'l', 'o', '!', '!', '!'});
  CHECK(error_of([&] { read_idx(dir.file("junk"), kIdxLabelsMagic); }).find("expected magic 2049") !=
        std::string::npos);
}

TEST_CASE("idx: truncated header, truncated data and trailing garbage are errors") {
  TempDir dir;
  Bytes good = idx_bytes(2051, {5, 4, 3}, tiny_pixels(5, 4, 3));

  write_bytes(dir.file("short_magic"), Bytes(good.begin(), good.begin() + 3));
  CHECK(error_of([&] { read_idx(dir.file("short_magic"), kIdxImagesMagic); }).find("truncated header") !=
        std::string::npos);
  write_bytes(dir.file("short_header"), Bytes(good.begin(), good.begin() + 10));
  CHECK(error_of([&] { read_idx(dir.file("short_header"), kIdxImagesMagic); })
            .find("truncated header: expected 16 bytes but the file has 10") != std::string::npos);

  write_bytes(dir.file("short_data"), Bytes(good.begin(), good.end() - 1));
  const std::string message = error_of([&] { read_idx(dir.file("short_data"), kIdxImagesMagic); });
  CHECK(message.find(dir.file("short_data")) != std::string::npos);
  CHECK(message.find("need 60 bytes of data but only 59 follow the header") != std::string::npos);

  Bytes long_file = good;
  long_file.insert(long_file.end(), {1, 2, 3});
  write_bytes(dir.file("long"), long_file);
  CHECK(error_of([&] { read_idx(dir.file("long"), kIdxImagesMagic); }).find("3 bytes of trailing garbage") !=
        std::string::npos);

  // A header claiming a huge payload fails on the missing data, not on allocating it.
  write_bytes(dir.file("huge"), idx_bytes(2051, {1u << 30, 1u << 30, 1u << 30}, {}));
  CHECK(error_of([&] { read_idx(dir.file("huge"), kIdxImagesMagic); }).find("implausibly large") != std::string::npos);
  // An empty set must not let huge image sizes through (found by fuzzing: their product overflowed
  // int64 in Dataset::example_numel).
  write_bytes(dir.file("empty_huge"), idx_bytes(2051, {0, 0xff00ff03u, 0xff000000u}, {}));
  CHECK(error_of([&] { read_idx(dir.file("empty_huge"), kIdxImagesMagic); }).find("implausibly large") !=
        std::string::npos);
  write_bytes(dir.file("big"), idx_bytes(2051, {100000, 100, 100}, {1, 2, 3}));
  CHECK(error_of([&] { read_idx(dir.file("big"), kIdxImagesMagic); }).find("only 3 follow") != std::string::npos);
}

TEST_CASE("idx: a truncated gzip stream is an error naming the file") {
  TempDir dir;
  write_gz(dir.file("img.gz"), idx_bytes(2051, {50, 20, 20}, tiny_pixels(50, 20, 20)));
  const Bytes gz = read_bytes(dir.file("img.gz"));
  write_bytes(dir.file("cut.gz"), Bytes(gz.begin(), gz.begin() + gz.size() / 2));
  const std::string message = error_of([&] { read_idx(dir.file("cut.gz"), kIdxImagesMagic); });
  CHECK(message.find(dir.file("cut.gz")) != std::string::npos);
  CHECK(message.find("truncated gzip data") != std::string::npos);
}

TEST_CASE("idx: image and label counts must agree, labels must fit the classes") {
  TempDir dir;
  write_bytes(dir.file("img"), idx_bytes(2051, {5, 4, 3}, tiny_pixels(5, 4, 3)));
  write_bytes(dir.file("lab"), idx_bytes(2049, {4}, tiny_labels(4)));
  const std::string message = error_of([&] { read_idx_dataset(dir.file("img"), dir.file("lab"), 10); });
  CHECK(message.find("holds 5 images but") != std::string::npos);
  CHECK(message.find("holds 4 labels") != std::string::npos);
  CHECK(message.find(dir.file("lab")) != std::string::npos);

  write_bytes(dir.file("lab5"), idx_bytes(2049, {5}, tiny_labels(5)));
  const std::string range = error_of([&] { read_idx_dataset(dir.file("img"), dir.file("lab5"), 3); });
  CHECK(range.find("label 3 at index 3 is outside [0, 3)") != std::string::npos);
  CHECK(range.find(dir.file("lab5")) != std::string::npos);
}

TEST_CASE("idx: missing files and folders are named") {
  TempDir dir;
  const std::string missing = dir.file("nope");
  const std::string message = error_of([&] { read_idx(missing, kIdxImagesMagic); });
  CHECK(message.find(missing) != std::string::npos);
  CHECK(message.find("No such file") != std::string::npos);
  CHECK(error_of([&] { load_mnist(missing, "train"); }).find("does not exist") != std::string::npos);
  write_tiny_mnist(dir.path / "m", 4, 2, true);
  fs::remove(dir.path / "m" / "t10k-labels-idx1-ubyte.gz");
  CHECK(error_of([&] { load_mnist((dir.path / "m").string(), "test"); })
            .find("neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte.gz") != std::string::npos);
  CHECK(load_mnist((dir.path / "m").string(), "train").size() == 4);
  CHECK(error_of([&] { load_mnist((dir.path / "m").string(), "validation"); }).find("split must be") !=
        std::string::npos);
  CHECK(missing_mnist_files((dir.path / "m").string()) == std::vector<std::string>{"t10k-labels-idx1-ubyte(.gz)"});
}
