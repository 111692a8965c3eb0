// CIFAR-10 in its three layouts, found by name (data/fetch.h), with tiny generated files.
#include <doctest/doctest.h>

#include "data/cifar10.h"
#include "data/decoded_cache.h"
#include "data/fetch.h"
#include "image_files.h"

using namespace sprig;
using namespace sprig::test;

namespace {

// root/{train,test}/<each CIFAR-10 class>/NN.png, 2 train and 1 test image per class.
void write_cifar10_tree(const fs::path& root) {
  write_image_tree(root, "train", cifar10_classes(), 2);
  write_image_tree(root, "test", cifar10_classes(), 1);
}

void check_tree(const Dataset& d, int per_class) {
  REQUIRE(d.size() == 10 * per_class);
  CHECK(d.example_shape() == Shape{3, 4, 5});
  CHECK(d.num_classes() == 10);
  CHECK(d.label(per_class) == 1);
  CHECK(Bytes(d.image(per_class), d.image(per_class) + 60) == tree_pixels(per_class));
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("cifar10: class folders load and are cached once decoded") {
  TempDir dir;
  write_cifar10_tree(dir.path / "set");
  const std::string set = dir.file("set"), cache = dir.file("cache");
  CHECK(cifar10_layout(set) == Cifar10Layout::folder);
  check_tree(load_cifar10(set, "train", cache), 2);
  check_tree(load_cifar10(set, "test", cache), 1);
  const std::vector<std::string> entries = files_in(cache);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].starts_with("cifar10-test-"));
  CHECK(entries[1].starts_with("cifar10-train-"));

  // The next load reads the entry, not the images: plant other data under the same fingerprint.
  const std::string entry = (fs::path(cache) / entries[1]).string();
  save_decoded(entry, source_fingerprint(dir.file("set/train")) + ", split train",
               Dataset(Bytes(6, 1), {3, 4}, 3, 1, 1, 10));
  CHECK(load_cifar10(set, "train", cache).labels() == std::vector<int32_t>{3, 4});
  CHECK(load_cifar10(set, "train").size() == 20);  // no cache folder: decoded
  // Changing an image makes the entry stale: decoded again.
  write_bytes(dir.file("set/train/cat/00.png"), png_bytes(3, 4, 5, tree_pixels(6)));
  check_tree(load_cifar10(set, "train", cache), 2);
}

TEST_CASE("cifar10: the JPEG archive and the binary batches load, by layout preference") {
  TempDir dir;
  const auto train = write_image_tree(dir.path / "tree", "train", cifar10_classes(), 2);
  const auto test = write_image_tree(dir.path / "tree", "test", cifar10_classes(), 1);
  std::vector<TarEntry> entries = tree_entries(train, "");
  for (const TarEntry& e : tree_entries(test, "")) entries.push_back(e);
  fs::create_directories(dir.path / "set");
  write_gz(dir.file("set/cifar10-jpg.tar.gz"), tar_bytes(entries));
  write_bytes(dir.file("set/data_batch_1.bin"), cifar_records(3));  // the archive is preferred
  CHECK(cifar10_layout(dir.file("set")) == Cifar10Layout::archive);
  check_tree(load_cifar10(dir.file("set"), "train", dir.file("cache")), 2);
  check_tree(load_cifar10(dir.file("set"), "test"), 1);
  CHECK(files_in(dir.path / "cache").size() == 1);

  fs::remove(dir.file("set/cifar10-jpg.tar.gz"));
  CHECK(cifar10_layout(dir.file("set")) == Cifar10Layout::binary);
  CHECK(load_cifar10(dir.file("set"), "train", dir.file("cache")).size() == 3);
  CHECK(files_in(dir.path / "cache").size() == 1);  // binary batches load as fast as a cache would
  CHECK(contains(error_of([&] { load_cifar10(dir.file("set"), "test"); }), "cifar10: '", dir.file("set"),
                 "' has no test_batch.bin (or .gz)"));
  write_gz(dir.file("set/test_batch.bin.gz"), cifar_records(2));
  CHECK(load_cifar10(dir.file("set"), "test").size() == 2);
}

TEST_CASE("cifar10: other classes, a missing split or no layout at all are errors naming the folder") {
  TempDir dir;
  std::vector<std::string> nine = cifar10_classes();
  nine.erase(nine.begin() + 3);  // "cat" missing, as an empty folder inside an archive would be
  write_image_tree(dir.path / "set", "train", nine, 1);
  std::string message = error_of([&] { load_cifar10(dir.file("set"), "train", dir.file("cache")); });
  CHECK(contains(message, "cifar10: '", dir.file("set/train"), "' has the classes [airplane automobile bird deer"));
  CHECK(contains(message, "but CIFAR-10's are [airplane automobile bird cat deer"));
  CHECK(contains(error_of([&] { load_cifar10(dir.file("set"), "test", dir.file("cache")); }), "'", dir.file("set/test"),
                 "' is not a folder"));
  CHECK(contains(error_of([&] { load_cifar10(dir.file("set"), "val"); }), "split must be"));
  CHECK(cifar10_layout(dir.file("none")) == Cifar10Layout::none);
  CHECK(contains(error_of([&] { load_cifar10(dir.file("none"), "train"); }), "cifar10: '", dir.file("none"),
                 "' holds neither"));
}

TEST_CASE("cifar10: found by name via --data, $SPRIG_DATA/<name> or the cache; never downloaded") {
  TempDir dir;
  EnvGuard cache("XDG_CACHE_HOME", dir.file("cache"));
  EnvGuard data_env("SPRIG_DATA", std::nullopt);
  write_cifar10_tree(dir.path / "root" / "cifar10");
  CHECK(find_dataset_dir("cifar10", dir.file("root/cifar10")) == dir.file("root/cifar10"));
  CHECK(find_dataset_dir("cifar10", dir.file("root")) == dir.file("root/cifar10"));
  {
    EnvGuard data("SPRIG_DATA", dir.file("root"));
    CHECK(find_dataset_dir("cifar10") == dir.file("root/cifar10"));
    check_tree(load_dataset("cifar10", "test"), 1);
    CHECK(files_in(dir.path / "cache" / "sprig" / "decoded").size() == 1);  // decoded_cache_dir()
  }
  std::string message = error_of([&] { find_dataset_dir("cifar10"); });
  CHECK(contains(message, "cifar10: not found in the cache '", dir.file("cache/sprig/cifar10"),
                 "', and sprig does not download it"));
  CHECK(contains(message, "https://www.cs.toronto.edu/~kriz/cifar.html"));
  CHECK(!fs::exists(dir.file("cache/sprig/cifar10")));
  message = error_of([&] { find_dataset_dir("cifar10", dir.file("elsewhere")); });
  CHECK(contains(message, "lacks train/ and test/ class folders, cifar10-jpg.tar.gz or data_batch_*.bin"));

  fs::rename(dir.path / "root" / "cifar10", dir.path / "cache" / "sprig" / "cifar10");
  CHECK(find_dataset_dir("cifar10") == dir.file("cache/sprig/cifar10"));
}
