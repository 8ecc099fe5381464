// Downloading one URL into its cache file: through a ".part" file in the same
// directory, resumed when a killed process left one, verified, fsynced and
// renamed into place only when complete.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>

#include "fetch/cache_naming.h"
#include "fetch/http_client.h"

namespace etvision::detail {

struct FileDownload {
  std::string url;
  CacheEntryPaths paths;
  /// Expected SHA-256 (hex, any case); empty means not checked.
  std::string sha256;
  /// limits.maxBytes bounds the whole file, resumed bytes included.
  HttpLimits limits;
  std::stop_token stopToken;
};

struct FileDownloadObserver {
  /// The file's full size once a response announces it (nullopt: unknown).
  std::function<void(std::optional<std::uint64_t> totalBytes)> onTotal;
  /// Bytes of the file present so far (resumed bytes included). May drop
  /// back to 0 when a resume turns into a restart.
  std::function<void(std::uint64_t doneBytes)> onBytes;
};

/// Downloads `download.url` to `download.paths.file`. The caller must hold
/// the entry's lock. On any failure the partial file and its sidecar are
/// removed and the error propagates: DownloadFailed (HTTP status, network
/// error, truncated body, size limit, digest mismatch), DownloadInterrupted
/// (cancelled) or FileWriteFailed (disk full, permissions).
void downloadFile(const FileDownload& download, const FileDownloadObserver& observer);

}  // namespace etvision::detail
