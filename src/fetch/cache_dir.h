// The cache directory: where it is and making sure it exists.
#pragma once

#include <filesystem>

namespace etvision::detail {

/// Creates `dir` (and its parents) when missing. Throws Error(FileWriteFailed)
/// when that is impossible or `dir` is not a directory.
void ensureCacheDir(const std::filesystem::path& dir);

}  // namespace etvision::detail
