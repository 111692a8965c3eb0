#pragma once
// Writing a file so that readers see either the old contents or the complete new ones, never a torn
// write: a crash mid-checkpoint must not destroy the previous checkpoint. Used by the checkpoint
// format (data/) and by the apps' text outputs (apps/common/), hence here at the bottom.
#include <string>
#include <string_view>
#include <vector>

namespace sprig {

// Writes the concatenation of `parts` (views into memory the caller owns: a header, tensor data...)
// to PATH.tmp-<pid>, fsyncs it and renames it over `path`. On failure the temporary file is removed
// and sprig::Error names `path` and the reason.
void write_file_atomic(const std::string& path, const std::vector<std::string_view>& parts);

}  // namespace sprig
