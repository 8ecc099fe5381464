// A small blocking HTTP(S) client on libcurl, shared by model downloads and
// image URLs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "etvision/error.h"

namespace etvision::detail {

struct HttpLimits {
  std::chrono::milliseconds connectTimeout{std::chrono::seconds(30)};
  /// Abort when no byte arrives for this long.
  std::chrono::milliseconds stallTimeout{std::chrono::seconds(60)};
  /// Whole-transfer limit; zero means none.
  std::chrono::milliseconds totalTimeout{0};
  /// Refuse bodies larger than this (checked against Content-Length up front
  /// and while receiving).
  std::uint64_t maxBytes = std::uint64_t{1} << 30;
  /// Redirects followed, http and https only.
  int maxRedirects = 5;
  /// PEM CA bundle; empty means the system store. Verification is always on.
  std::string caBundlePath;
};

/// GETs `url` into memory. Any failure (network error, HTTP status >= 400,
/// size limit, timeout) throws Error(failureCode, message naming the URL and
/// the cause, e.g. "HTTP 404").
std::vector<std::uint8_t> httpGetToMemory(const std::string& url, const HttpLimits& limits,
                                          ErrorCode failureCode);

// ---------------------------------------------------------------------------
// Streaming interface, used for model downloads (progress, resume, cancel).

/// An HTTP status >= 400. Carries the status so callers can react to
/// particular ones (e.g. 416 when a resume offset is no longer valid).
class HttpStatusError : public Error {
 public:
  HttpStatusError(ErrorCode code, long status, const std::string& message)
      : Error(code, message), status_(status) {}

  long status() const noexcept { return status_; }

 private:
  long status_;
};

/// The final response's status line and the headers a download cares about
/// (after redirects).
struct HttpResponseHead {
  long status = 0;
  /// Content-Length of this response's body; nullopt when not announced.
  std::optional<std::uint64_t> contentLength;
  /// Header values, empty when absent.
  std::string etag;
  std::string lastModified;
  std::string contentRange;
};

struct HttpRequest {
  std::string url;
  /// Extra request header lines, e.g. "If-Range: \"abc\"".
  std::vector<std::string> headers;
  /// When set, sends "Range: bytes=N-" to fetch the body from byte N on.
  std::optional<std::uint64_t> rangeStart;
  /// Cancels the transfer: it then throws Error(DownloadInterrupted).
  std::stop_token stopToken;
};

struct HttpBodyHandlers {
  /// Called once, before the first body byte (or at the end for an empty
  /// body), with the final response head. May throw to abort the transfer.
  std::function<void(const HttpResponseHead&)> onResponse;
  /// Called for every received piece of the body. May throw to abort.
  std::function<void(const std::uint8_t* data, std::size_t size)> onBody;
};

/// GETs `request.url`, streaming the body to `handlers`. Failures throw as
/// httpGetToMemory does (HttpStatusError for HTTP >= 400); an exception
/// thrown by a handler aborts the transfer and propagates unchanged;
/// cancellation throws Error(DownloadInterrupted).
void httpGetStreaming(const HttpRequest& request, const HttpLimits& limits, ErrorCode failureCode,
                      const HttpBodyHandlers& handlers);

/// Sends a HEAD request and returns the final response head. Throws like
/// httpGetStreaming (servers that refuse HEAD answer e.g. HTTP 405).
HttpResponseHead httpHead(const HttpRequest& request, const HttpLimits& limits,
                          ErrorCode failureCode);

}  // namespace etvision::detail
