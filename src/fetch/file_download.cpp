#include "fetch/file_download.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>
#include <utility>

#include "etvision/error.h"
#include "fetch/partial_download_meta.h"
#include "fetch/sha256.h"
#include "fetch/unique_fd.h"
#include "fetch/uri.h"

namespace etvision::detail {
namespace {

[[noreturn]] void throwWriteFailure(const std::filesystem::path& path, std::string_view action,
                                    int error) {
  const std::string advice = error == ENOSPC || error == EDQUOT || error == EFBIG
                                 ? "Free some disk space or choose another cache directory "
                                   "(FetchOptions::cacheDir or ETVISION_CACHE_DIR)."
                                 : "Make sure the cache directory is writable.";
  throw Error(ErrorCode::FileWriteFailed, "Cannot " + std::string(action) + " " + path.string() +
                                              ": " + std::strerror(error) + ". " + advice);
}

void removeQuietly(const std::filesystem::path& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

/// The ".part" file being written.
class PartialFile {
 public:
  /// Opens `path`, keeping its contents when `keep` (to append to them).
  PartialFile(std::filesystem::path path, bool keep) : path_(std::move(path)) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (keep ? O_APPEND : O_TRUNC);
    int fd = -1;
    do {
      fd = ::open(path_.c_str(), flags, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) throwWriteFailure(path_, "create", errno);
    fd_ = UniqueFd(fd);
  }

  void write(const std::uint8_t* data, std::size_t size) {
    while (size > 0) {
      const ssize_t written = ::write(fd_.get(), data, size);
      if (written < 0) {
        if (errno == EINTR) continue;
        throwWriteFailure(path_, "write to", errno);
      }
      data += written;
      size -= static_cast<std::size_t>(written);
    }
  }

  /// Drops everything written so far (O_APPEND then writes from 0 again).
  void clear() {
    if (::ftruncate(fd_.get(), 0) != 0) throwWriteFailure(path_, "truncate", errno);
  }

  /// Flushes to disk and closes: the rename that follows must not publish a
  /// file whose data a crash could still lose.
  void syncAndClose() {
    if (::fsync(fd_.get()) != 0) throwWriteFailure(path_, "flush", errno);
    if (fd_.reset() != 0) throwWriteFailure(path_, "close", errno);
  }

 private:
  std::filesystem::path path_;
  UniqueFd fd_;
};

/// Persists a rename in the directory itself. Best effort: a failure only
/// weakens crash safety, the download itself is fine.
void syncDirectory(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd) static_cast<void>(::fsync(fd.get()));
}

/// The first byte position and the full size from "bytes START-END/SIZE";
/// the size is nullopt when given as "*".
struct ContentRange {
  std::uint64_t start = 0;
  std::optional<std::uint64_t> size;
};

std::optional<ContentRange> parseContentRange(std::string_view value) {
  constexpr std::string_view kUnit = "bytes ";
  if (!value.starts_with(kUnit)) return std::nullopt;
  value.remove_prefix(kUnit.size());
  ContentRange range;
  const auto [afterStart, startError] =
      std::from_chars(value.data(), value.data() + value.size(), range.start);
  if (startError != std::errc() || afterStart == value.data() + value.size() ||
      *afterStart != '-') {
    return std::nullopt;
  }
  const std::size_t slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view size = value.substr(slash + 1);
  if (size != "*") {
    std::uint64_t parsed = 0;
    const auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), parsed);
    if (error != std::errc() || end != size.data() + size.size()) {
      return std::nullopt;
    }
    range.size = parsed;
  }
  return range;
}

/// One GET of the URL into the partial file; resumes from `offset` when it
/// is non-zero.
class DownloadAttempt {
 public:
  DownloadAttempt(const FileDownload& download, const FileDownloadObserver& observer,
                  std::uint64_t offset, std::string validator)
      : download_(download),
        observer_(observer),
        offset_(offset),
        validator_(std::move(validator)),
        file_(download.paths.partial, /*keep=*/offset > 0),
        written_(offset) {}

  void run() {
    HttpRequest request;
    request.url = download_.url;
    request.stopToken = download_.stopToken;
    if (offset_ > 0) {
      request.rangeStart = offset_;
      // The server sends the rest only if the file is unchanged; otherwise
      // it answers 200 with the whole new file.
      request.headers.push_back("If-Range: " + validator_);
    }
    HttpBodyHandlers handlers;
    handlers.onResponse = [this](const HttpResponseHead& head) { onResponse(head); };
    handlers.onBody = [this](const std::uint8_t* data, std::size_t size) { onBody(data, size); };
    httpGetStreaming(request, download_.limits, ErrorCode::DownloadFailed, handlers);

    if (expectedSize_ && written_ != *expectedSize_) {
      throw Error(ErrorCode::DownloadFailed, "Could not fetch " + urlForDisplay(download_.url) +
                                                 ": the connection ended "
                                                 "after " +
                                                 std::to_string(written_) + " of " +
                                                 std::to_string(*expectedSize_) +
                                                 " bytes (truncated download). Try again.");
    }
    file_.syncAndClose();
  }

 private:
  void onResponse(const HttpResponseHead& head) {
    std::optional<std::uint64_t> total;
    if (offset_ > 0 && head.status == 206) {
      const auto range = parseContentRange(head.contentRange);
      if (!range || range->start != offset_) {
        throw Error(ErrorCode::DownloadFailed,
                    "Could not fetch " + urlForDisplay(download_.url) +
                        ": asked to resume at byte " + std::to_string(offset_) +
                        " but the server sent the range \"" + head.contentRange + "\". Try again.");
      }
      total = range->size;
      if (!total && head.contentLength) total = offset_ + *head.contentLength;
    } else if (head.status == 200) {
      if (offset_ > 0) {
        // The server ignored the Range or the file changed since the
        // partial bytes were written: this is the whole file, start over.
        removeQuietly(download_.paths.partialMeta);
        file_.clear();
        written_ = 0;
      }
      const PartialDownloadMeta meta{download_.url, head.etag, head.lastModified};
      // Without a validator a later resume could splice two versions of the
      // file together, so such downloads are never resumed.
      if (!meta.ifRangeValidator().empty()) {
        writePartialDownloadMeta(download_.paths.partialMeta, meta);
      }
      total = head.contentLength;
    } else {
      throw Error(ErrorCode::DownloadFailed, "Could not fetch " + urlForDisplay(download_.url) +
                                                 ": the server answered HTTP " +
                                                 std::to_string(head.status) +
                                                 " where 200 was expected. Check the URL.");
    }
    if (total && *total > download_.limits.maxBytes) throwTooLarge();
    expectedSize_ = total;
    if (observer_.onTotal) observer_.onTotal(total);
    if (observer_.onBytes) observer_.onBytes(written_);
  }

  void onBody(const std::uint8_t* data, std::size_t size) {
    // The HTTP layer bounds this response; resumed bytes count too.
    const std::uint64_t limit = download_.limits.maxBytes;
    if (size > limit - std::min(written_, limit)) {
      throwTooLarge();
    }
    file_.write(data, size);
    written_ += size;
    if (observer_.onBytes) observer_.onBytes(written_);
  }

  [[noreturn]] void throwTooLarge() const {
    throw Error(ErrorCode::DownloadFailed,
                "Could not fetch " + urlForDisplay(download_.url) +
                    ": the file is larger than the limit of " +
                    std::to_string(download_.limits.maxBytes) +
                    " bytes. Raise FetchOptions::maxBytes if it is expected "
                    "to be this large.");
  }

  const FileDownload& download_;
  const FileDownloadObserver& observer_;
  std::uint64_t offset_;
  std::string validator_;
  PartialFile file_;
  std::uint64_t written_;
  std::optional<std::uint64_t> expectedSize_;
};

/// Where a previous, killed process left off: the partial file's size and
/// the If-Range validator, or {0, ""} when there is nothing to resume.
std::pair<std::uint64_t, std::string> resumePoint(const FileDownload& download) {
  std::error_code error;
  const std::uint64_t size = std::filesystem::file_size(download.paths.partial, error);
  if (error || size == 0) return {0, {}};
  const auto meta = readPartialDownloadMeta(download.paths.partialMeta);
  if (!meta || meta->url != download.url) return {0, {}};
  std::string validator = meta->ifRangeValidator();
  if (validator.empty()) return {0, {}};
  return {size, std::move(validator)};
}

void verifyDigest(const FileDownload& download) {
  if (download.sha256.empty()) return;
  std::string expected = download.sha256;
  for (char& c : expected) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  const std::string actual = sha256OfFile(download.paths.partial);
  if (actual != expected) {
    throw Error(ErrorCode::DownloadFailed,
                "The file downloaded from " + urlForDisplay(download.url) + " has SHA-256 " +
                    actual + " but " + expected +
                    " was expected; it was discarded. The file on the server "
                    "changed or was corrupted; check the URL and the digest.");
  }
}

void download(const FileDownload& download, const FileDownloadObserver& observer) {
  auto [offset, validator] = resumePoint(download);
  if (offset == 0) {
    // Leftovers that cannot be resumed would only mislead a later run.
    removeQuietly(download.paths.partialMeta);
  }
  try {
    DownloadAttempt(download, observer, offset, validator).run();
  } catch (const HttpStatusError& error) {
    // 416: the partial file is not a prefix of the current file (it shrank,
    // or the partial file is already complete). Start over once.
    if (offset == 0 || error.status() != 416) throw;
    removeQuietly(download.paths.partialMeta);
    DownloadAttempt(download, observer, 0, {}).run();
  }
  verifyDigest(download);

  std::error_code error;
  std::filesystem::rename(download.paths.partial, download.paths.file, error);
  if (error) {
    throwWriteFailure(download.paths.file, "move the download to", error.value());
  }
  removeQuietly(download.paths.partialMeta);
  syncDirectory(download.paths.file.parent_path());
}

}  // namespace

void downloadFile(const FileDownload& fileDownload, const FileDownloadObserver& observer) {
  try {
    download(fileDownload, observer);
  } catch (...) {
    // Only a killed process leaves a partial file behind (to be resumed);
    // a failure we see must not leave anything in the cache.
    removeQuietly(fileDownload.paths.partial);
    removeQuietly(fileDownload.paths.partialMeta);
    throw;
  }
}

}  // namespace etvision::detail
