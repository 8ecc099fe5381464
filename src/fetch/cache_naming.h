// Names of the files a cached download uses inside the cache directory.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace etvision::detail {

/// Longest name cacheFileName() returns: 255 (NAME_MAX) less the longest
/// sidecar suffix, so "<name>.part.meta" is still a valid file name.
inline constexpr std::size_t kMaxCacheFileName = 245;

/// The files that belong to one cached URL.
struct CacheEntryPaths {
  /// The complete, verified download.
  std::filesystem::path file;
  /// The download in progress; renamed to `file` once complete.
  std::filesystem::path partial;
  /// Sidecar recording what `partial` holds, for resuming it.
  std::filesystem::path partialMeta;
  /// Lock serialising downloads of this URL across threads and processes.
  std::filesystem::path lock;
};

/// The paths for `url` inside `cacheDir` (naming per etvision::cacheFileName).
CacheEntryPaths cacheEntryPaths(const std::filesystem::path& cacheDir, std::string_view url);

}  // namespace etvision::detail
