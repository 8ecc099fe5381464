// Resource fetching: turning a model source into a local file.
//
// A source is one of
//   - an http:// or https:// URL: downloaded once into the cache, then reused
//     with no network access at all (offline works);
//   - a file:// URI (percent-decoded) or a plain filesystem path: used in
//     place, never copied;
//   - "bundled:<file name>": a model shipped with etvision (see models.h).
//
// Cache: $ETVISION_CACHE_DIR, else $XDG_CACHE_HOME/etvision, else
// ~/.cache/etvision. A URL is cached under the reference's file name: the URL
// without its scheme and fragment, every character outside [A-Za-z0-9._-]
// replaced by '_' (names over 245 bytes keep their start and extension around
// a hash; names that would collide with the fetcher's own ".part"/".lock"
// files get a trailing '_'). Downloads go to a temporary file that is renamed into place
// only once complete (and, when a sha256 digest is given, verified), so the
// cache never holds a partial or corrupt file. A download interrupted by a
// killed process is resumed with an HTTP Range request where the server
// allows it and the file has not changed; otherwise it restarts.
//
// Threading: the functions are thread-safe. Several threads or processes may
// fetch the same URL at once: a lock file makes one download while the others
// wait and then reuse the cached file. The progress callback runs on the
// calling thread.
//
// Security: TLS certificates are always verified (caBundlePath adds trusted
// CAs); at most 5 redirects are followed, and only to http(s) URLs; a
// download larger than maxBytes is refused, from its announced length when
// there is one; a cache file name can never name a file outside the cache
// directory.
//
// Errors (etvision::Error): InvalidModelSource for an empty or unsupported
// source, a missing local file or a source containing a NUL byte; InvalidUserInput for a malformed
// sha256 (64 hex digits, either case); DownloadFailed (with the HTTP status or the network error)
// for a failed download or a digest mismatch; DownloadInterrupted when cancelled through
// FetchOptions::stopToken; FileWriteFailed when the cache cannot be written.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "etvision/export.h"

namespace etvision {

/// Download progress in [0, 1]: monotonic, byte-weighted over every file of
/// one fetch, 0 while a total length is unknown, and exactly one final 1.0
/// on success (also when everything was already cached or local).
using ProgressCallback = std::function<void(double progress)>;

struct FetchOptions {
  ProgressCallback onProgress;
  /// Request cancellation: the fetch stops and throws DownloadInterrupted.
  std::stop_token stopToken;
  /// Cache directory; empty means defaultCacheDir().
  std::filesystem::path cacheDir;
  /// PEM bundle of trusted CAs for https; empty means the system store.
  std::string caBundlePath;
  /// Give up connecting after this long.
  std::chrono::milliseconds connectTimeout{std::chrono::seconds(30)};
  /// Give up when no byte arrives for this long.
  std::chrono::milliseconds stallTimeout{std::chrono::seconds(60)};
  /// Refuse downloads larger than this.
  std::uint64_t maxBytes = std::uint64_t{8} << 30;
};

struct ResourceRequest {
  std::string source;
  /// Optional lowercase hex SHA-256 of the file; checked after a download.
  std::string sha256;
};

/// Fetches every request and returns the local paths (absolute), in request
/// order. Every source is validated before any network access.
ETVISION_API std::vector<std::filesystem::path> fetchResources(
    const std::vector<ResourceRequest>& requests, const FetchOptions& options = {});

/// Convenience for one source.
ETVISION_API std::filesystem::path fetchResource(const ResourceRequest& request,
                                                 const FetchOptions& options = {});

/// $ETVISION_CACHE_DIR, else $XDG_CACHE_HOME/etvision, else
/// $HOME/.cache/etvision.
ETVISION_API std::filesystem::path defaultCacheDir();

/// The cache file name for an http(s) URL (reference naming; never "", "."
/// or "..", never contains '/', at most 245 bytes).
ETVISION_API std::string cacheFileName(std::string_view url);

}  // namespace etvision
