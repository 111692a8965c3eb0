#pragma once
// Where apps put their results: an output folder checked before any work starts, and text files
// (config.json, metrics) written so that a crash never leaves half a file.
#include <filesystem>
#include <string>
#include <string_view>

namespace sprig::cli {

// Writes `text` to `path` atomically (see tensor/atomic_file.h); throws sprig::Error naming the path.
void write_text_atomic(const std::string& path, std::string_view text);

// Creates the folder `dir` (and its parents) and checks that a file can be written in it, so that a
// bad --out fails at start-up, not after hours of training. Throws sprig::Error naming `dir`.
std::filesystem::path prepare_output_dir(const std::string& dir);

}  // namespace sprig::cli
