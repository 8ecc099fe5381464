// fetchResources: classify every source, weigh the downloads by their size,
// then download what the cache lacks, one file at a time under its lock.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "etvision/error.h"
#include "etvision/fetch.h"
#include "fetch/cache_dir.h"
#include "fetch/cache_naming.h"
#include "fetch/file_download.h"
#include "fetch/file_lock.h"
#include "fetch/http_client.h"
#include "fetch/model_source.h"
#include "fetch/progress_reporter.h"
#include "fetch/sha256.h"
#include "fetch/uri.h"

namespace etvision {
namespace {

/// A URL that is not in the cache yet.
struct PendingDownload {
  std::string url;
  detail::CacheEntryPaths paths;
  std::string sha256;
  std::size_t progressIndex = 0;
};

detail::HttpLimits httpLimits(const FetchOptions& options) {
  detail::HttpLimits limits;
  limits.connectTimeout = options.connectTimeout;
  limits.stallTimeout = options.stallTimeout;
  // No whole-transfer limit: a large model on a slow link may take long;
  // the stall timeout catches dead connections.
  limits.totalTimeout = std::chrono::milliseconds{0};
  limits.maxBytes = options.maxBytes;
  limits.caBundlePath = options.caBundlePath;
  return limits;
}

void throwIfCancelled(const std::stop_token& stopToken) {
  if (stopToken.stop_requested()) {
    throw Error(ErrorCode::DownloadInterrupted, "The fetch was cancelled before it completed.");
  }
}

void requireValidDigest(const ResourceRequest& request) {
  if (!request.sha256.empty() && !detail::isSha256Hex(request.sha256)) {
    throw Error(ErrorCode::InvalidUserInput,
                "The sha256 given for \"" + detail::urlForDisplay(request.source) +
                    "\" is not a SHA-256 digest: expected 64 hex digits, got \"" + request.sha256 +
                    "\".");
  }
}

/// The size of a file already present, for progress weighting.
std::uint64_t presentFileSize(const std::filesystem::path& path) {
  std::error_code error;
  const std::uint64_t size = std::filesystem::file_size(path, error);
  return error ? 0 : size;
}

/// The file's size as a HEAD request announces it, or nullopt. A failed or
/// refused HEAD is not an error: the size only weighs progress, and the GET
/// that follows reports real problems.
std::optional<std::uint64_t> announcedSize(const PendingDownload& download,
                                           detail::HttpLimits limits,
                                           const std::stop_token& stopToken) {
  // Let HEAD report any size; the limit is checked by the caller with a
  // clearer message.
  limits.maxBytes = std::numeric_limits<std::uint64_t>::max();
  detail::HttpRequest request;
  request.url = download.url;
  request.stopToken = stopToken;
  try {
    const detail::HttpResponseHead head =
        detail::httpHead(request, limits, ErrorCode::DownloadFailed);
    if (head.status == 200) return head.contentLength;
  } catch (const Error& error) {
    if (error.code() == ErrorCode::DownloadInterrupted) throw;
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::filesystem::path> fetchResources(const std::vector<ResourceRequest>& requests,
                                                  const FetchOptions& options) {
  throwIfCancelled(options.stopToken);
  detail::ProgressReporter progress(options.onProgress);
  std::vector<std::filesystem::path> paths(requests.size());
  std::vector<PendingDownload> downloads;
  std::filesystem::path cacheDir;

  // Every source is checked before anything is downloaded, so that a typo in
  // the last one does not cost the download of the first.
  for (std::size_t i = 0; i < requests.size(); ++i) {
    requireValidDigest(requests[i]);
    const detail::ModelSource source = detail::parseModelSource(requests[i].source);
    if (source.kind == detail::ModelSource::Kind::Local) {
      paths[i] = source.path;
      progress.complete(progress.addFile(presentFileSize(source.path)));
      continue;
    }
    if (cacheDir.empty()) {
      cacheDir = options.cacheDir.empty() ? defaultCacheDir() : options.cacheDir;
    }
    const detail::CacheEntryPaths entry = detail::cacheEntryPaths(cacheDir, source.url);
    paths[i] = entry.file;
    // A cached file is complete by construction (it only appears through an
    // atomic rename), so it is used without asking the network anything.
    std::error_code error;
    if (std::filesystem::is_regular_file(entry.file, error)) {
      progress.complete(progress.addFile(presentFileSize(entry.file)));
      continue;
    }
    // The same file twice in one call: download it once.
    bool duplicate = false;
    for (PendingDownload& pending : downloads) {
      if (pending.paths.file == entry.file) {
        if (pending.sha256.empty()) pending.sha256 = requests[i].sha256;
        duplicate = true;
      }
    }
    if (!duplicate) downloads.push_back({source.url, entry, requests[i].sha256, 0});
  }

  if (!downloads.empty()) {
    detail::ensureCacheDir(cacheDir);
    const detail::HttpLimits limits = httpLimits(options);
    for (PendingDownload& download : downloads) {
      const auto size = announcedSize(download, limits, options.stopToken);
      if (size && *size > options.maxBytes) {
        throw Error(ErrorCode::DownloadFailed,
                    "Could not fetch " + detail::urlForDisplay(download.url) + ": the file is " +
                        std::to_string(*size) + " bytes, more than the limit of " +
                        std::to_string(options.maxBytes) +
                        " bytes. Raise FetchOptions::maxBytes if it is "
                        "expected to be this large.");
      }
      download.progressIndex = progress.addFile(size);
    }
    progress.start();

    for (const PendingDownload& download : downloads) {
      throwIfCancelled(options.stopToken);
      // Held until the file is in place: another thread or process fetching
      // the same URL waits here, then finds the cached file below.
      const detail::FileLock lock(download.paths.lock, options.stopToken);
      std::error_code error;
      if (!std::filesystem::is_regular_file(download.paths.file, error)) {
        detail::FileDownloadObserver observer;
        observer.onTotal = [&](std::optional<std::uint64_t> total) {
          progress.setTotal(download.progressIndex, total);
        };
        observer.onBytes = [&](std::uint64_t done) {
          progress.setDone(download.progressIndex, done);
        };
        detail::downloadFile(
            {download.url, download.paths, download.sha256, limits, options.stopToken}, observer);
      }
      progress.complete(download.progressIndex);
    }
  }

  progress.finish();
  return paths;
}

std::filesystem::path fetchResource(const ResourceRequest& request, const FetchOptions& options) {
  return fetchResources({request}, options).front();
}

}  // namespace etvision
