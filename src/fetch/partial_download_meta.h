// The sidecar "<name>.part.meta" next to a partial download. It records what
// the partial file holds so that a later process can resume it with an HTTP
// Range request guarded by If-Range: the server then sends the rest only if
// the file is still the one the first bytes came from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace etvision::detail {

struct PartialDownloadMeta {
  /// The URL the bytes were downloaded from.
  std::string url;
  /// The response's ETag, as sent (quotes included); "" when none.
  std::string etag;
  /// The response's Last-Modified; "" when none.
  std::string lastModified;

  /// The If-Range value for resuming: the ETag when it is strong (If-Range
  /// requires a strong comparison, so a weak W/"..." tag cannot be used),
  /// else Last-Modified, else "" meaning the download cannot be resumed.
  std::string ifRangeValidator() const;
};

/// Reads the sidecar; nullopt when it is missing, unreadable or malformed
/// (the partial download then restarts from zero).
std::optional<PartialDownloadMeta> readPartialDownloadMeta(const std::filesystem::path& path);

/// Writes the sidecar. Throws Error(FileWriteFailed).
void writePartialDownloadMeta(const std::filesystem::path& path, const PartialDownloadMeta& meta);

}  // namespace etvision::detail
