#include <doctest/doctest.h>

#include "data/cifar.h"
#include "data/md5.h"
#include "data_test_files.h"
#include "shared_data.h"

using namespace sprig;
using namespace sprig::test;

TEST_CASE("cifar binary: records become [3, 32, 32] images and labels, across files, plain or gzipped") {
  TempDir dir;
  write_bytes(dir.file("data_batch_1.bin"), cifar_records(3));
  write_gz(dir.file("data_batch_2.bin.gz"), cifar_records(2));
  const Dataset d = read_cifar_binary({dir.file("data_batch_1.bin"), dir.file("data_batch_2.bin.gz")});
  CHECK(d.size() == 5);
  CHECK(d.example_shape() == Shape{3, 32, 32});
  CHECK(d.num_classes() == 10);
  CHECK(d.labels() == std::vector<int32_t>{0, 1, 2, 0, 1});
  CHECK(d.image(1)[0] == 1);
  CHECK(d.image(1)[1024 + 5] == uint8_t((1029 * 3 + 1) % 256));  // green plane, row 0, column 5
  CHECK(d.image(4)[3071] == uint8_t((3071 * 3 + 1) % 256));
}

TEST_CASE("cifar binary: a split's files are found by name, sorted, the plain file preferred over .gz") {
  TempDir dir;
  for (const char* name : {"data_batch_2.bin", "data_batch_1.bin.gz", "data_batch_2.bin.gz", "test_batch.bin.gz",
                           "batches.meta.txt", "data_batch_3.txt"})
    write_bytes(dir.file(name), {});
  CHECK(cifar_binary_files(dir.path.string(), "train") ==
        std::vector<std::string>{dir.file("data_batch_1.bin.gz"), dir.file("data_batch_2.bin")});
  CHECK(cifar_binary_files(dir.path.string(), "test") == std::vector<std::string>{dir.file("test_batch.bin.gz")});
  CHECK(cifar_binary_files(dir.file("nowhere"), "train").empty());
  CHECK(error_of([&] { cifar_binary_files(dir.path.string(), "val"); }).find("split must be") != std::string::npos);
}

TEST_CASE("cifar binary: a truncated record, a bad label or an empty file is an error naming file and record") {
  TempDir dir;
  Bytes records = cifar_records(3);
  write_bytes(dir.file("cut.bin"), Bytes(records.begin(), records.end() - 100));
  std::string message = error_of([&] { read_cifar_binary({dir.file("cut.bin")}); });
  CHECK(message.find(dir.file("cut.bin")) != std::string::npos);
  CHECK(message.find("record 2 is truncated (2973 of 3073 bytes)") != std::string::npos);

  write_gz(dir.file("cut.bin.gz"), Bytes(records.begin(), records.begin() + 3073 + 1));
  CHECK(error_of([&] { read_cifar_binary({dir.file("cut.bin.gz")}); }).find("record 1 is truncated (1 of 3073") !=
        std::string::npos);

  records[3073] = 10;
  write_bytes(dir.file("label.bin"), records);
  message = error_of([&] { read_cifar_binary({dir.file("label.bin")}); });
  CHECK(message.find(dir.file("label.bin")) != std::string::npos);
  CHECK(message.find("record 1 has label 10") != std::string::npos);

  write_bytes(dir.file("empty.bin"), {});
  CHECK(error_of([&] { read_cifar_binary({dir.file("empty.bin")}); }).find("holds no records") != std::string::npos);
  CHECK(error_of([&] { read_cifar_binary({dir.file("absent.bin")}); }).find(dir.file("absent.bin")) !=
        std::string::npos);
}

TEST_CASE("cifar binary: the real first 4,000 records of data_batch_1 hold what the README says") {
  const fs::path path = shared_data_dir() / "cifar10" / "data_batch_1_first4000.bin.gz";
  if (!fs::exists(path)) {
    MESSAGE("skipped: no ", path.string());
    return;
  }
  const Bytes raw = read_gz_all(path.string());
  CHECK(raw.size() == 12292000);
  CHECK(md5_hex(raw.data(), raw.size()) == "07704ae233cc40e200a600eed4f4e13c");  // shared/data/README.md

  const Dataset d = read_cifar_binary({path.string()});
  REQUIRE(d.size() == 4000);
  CHECK(d.example_shape() == Shape{3, 32, 32});
  // Counted from the file itself with Python (gzip.open(...).read(), the byte at each 3073-byte
  // record start), independently of this reader.
  CHECK(d.class_counts() == std::vector<int64_t>{396, 366, 420, 384, 422, 393, 414, 385, 407, 413});
  CHECK(std::vector<int32_t>(d.labels().begin(), d.labels().begin() + 10) ==
        std::vector<int32_t>{6, 9, 9, 4, 1, 1, 2, 7, 8, 3});
  // First pixels of record 0's red, green and blue planes, and of the last record (label 4): same source.
  CHECK(Bytes(d.image(0), d.image(0) + 4) == Bytes{59, 43, 50, 68});
  CHECK(Bytes(d.image(0) + 1024, d.image(0) + 1028) == Bytes{62, 46, 48, 54});
  CHECK(Bytes(d.image(0) + 2048, d.image(0) + 2052) == Bytes{63, 45, 43, 42});
  CHECK(d.label(3999) == 4);
  CHECK(Bytes(d.image(3999), d.image(3999) + 3) == Bytes{90, 87, 84});
  CHECK(Bytes(d.image(3999) + 3069, d.image(3999) + 3072) == Bytes{54, 49, 57});
}
