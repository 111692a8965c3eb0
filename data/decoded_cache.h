#pragma once
// A decoded-dataset cache, so that 60,000 JPEGs are decoded once rather than on every run. An entry
// is a safetensors file (pixels U8 [N, C, H, W], labels I32 [N]) whose metadata records what it was
// decoded from (a fingerprint of the source) and a CRC-32 of its data. An entry that is missing,
// stale or corrupt is decoded afresh and rewritten atomically, so readers never see half a file.
//
//   Dataset train = load_or_decode(cache_file, source_fingerprint(archive), [&] { return decode(...); });
#include <functional>
#include <optional>
#include <string>

#include "data/dataset.h"

namespace sprig {

// What a dataset was decoded from, so that any change to it shows: for a file its absolute path,
// size and modification time; for a folder the same for every file below it.
std::string source_fingerprint(const std::string& path);

// Writes `dataset` to `cache_file` (atomically) as decoded from `fingerprint`.
void save_decoded(const std::string& cache_file, const std::string& fingerprint, const Dataset& dataset);

// The dataset cached in `cache_file` if it was decoded from `fingerprint` and is intact; otherwise
// nothing, with the reason in *why (when given).
std::optional<Dataset> load_decoded(const std::string& cache_file, const std::string& fingerprint,
                                    std::string* why = nullptr);

// The cached dataset, else decode() saved to the cache for next time. A cache that cannot be
// written (a read-only home, a full disk) costs only the saving: a note on stderr, and the decoded
// dataset is returned all the same.
Dataset load_or_decode(const std::string& cache_file, const std::string& fingerprint,
                       const std::function<Dataset()>& decode);

}  // namespace sprig
