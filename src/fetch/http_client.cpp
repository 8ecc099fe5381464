#include "fetch/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string_view>
#include <utility>

#include "fetch/uri.h"

namespace etvision::detail {
namespace {

using Clock = std::chrono::steady_clock;

// How often an idle transfer checks for cancellation and stalls.
constexpr std::chrono::milliseconds kLivenessInterval{50};

// curl_global_init is not thread-safe and must run once per process before
// any handle exists; curl_global_cleanup is deliberately never called because
// other code in the process may still use libcurl at exit.
void ensureCurlInitialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
      throw Error(ErrorCode::Internal,
                  std::string("libcurl failed to initialise: ") + curl_easy_strerror(code));
    }
  });
}

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

std::string_view statusReason(long status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return {};
  }
}

std::string statusAdvice(long status) {
  if (status == 401 || status == 403) {
    return "The server refused access; check that the file is public or "
           "that the URL carries the needed access token.";
  }
  if (status == 404 || status == 410) {
    return "Check that the URL is correct and the file is still published.";
  }
  if (status == 429 || status >= 500) {
    return "The server is unavailable or overloaded; try again later.";
  }
  return "Check the URL.";
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    return lower(x) == lower(y);
  });
}

/// One transfer on one easy handle: owns the state the C callbacks share and
/// turns every way a transfer can end into either success or one exception.
class Transfer {
 public:
  Transfer(const HttpRequest& request, const HttpLimits& limits, ErrorCode failureCode,
           const HttpBodyHandlers* handlers)
      : request_(request), limits_(limits), failureCode_(failureCode), handlers_(handlers) {}

  /// Runs the transfer; returns the final response head or throws.
  HttpResponseHead run(bool headOnly) {
    ensureCurlInitialized();
    CurlEasy easy(curl_easy_init());
    if (!easy) {
      throw Error(ErrorCode::Internal, "libcurl could not create a handle.");
    }
    handle_ = easy.get();
    CurlSlist headers;
    for (const std::string& line : request_.headers) {
      curl_slist* extended = curl_slist_append(headers.get(), line.c_str());
      if (extended == nullptr) {
        throw Error(ErrorCode::MemoryAllocationFailed,
                    "libcurl could not allocate request headers.");
      }
      if (extended != headers.get()) {
        static_cast<void>(headers.release());
        headers.reset(extended);
      }
    }
    configure(headOnly, headers.get());

    const CURLcode code = perform(easy.get());
    handle_ = nullptr;

    // A handler's own exception wins: it is the most specific explanation.
    if (handlerError_) std::rethrow_exception(handlerError_);
    if (code != CURLE_OK) throwForFailure(easy.get(), code);
    if (!headDelivered_) {
      captureHead(easy.get());
      deliverHead();
      if (handlerError_) std::rethrow_exception(handlerError_);
    }
    return head_;
  }

 private:
  enum class AbortReason { None, Cancelled, TooLarge, Stalled };

  /// Runs the transfer on a private multi handle rather than with
  /// curl_easy_perform: waiting in curl_multi_poll lets a stop request wake
  /// the transfer at once (curl_multi_wakeup) and lets stalls be noticed
  /// within kLivenessInterval even while no data flows, where
  /// curl_easy_perform would check only about once a second.
  CURLcode perform(CURL* easy) {
    struct MultiDeleter {
      void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
    };
    std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
    if (!multi || curl_multi_add_handle(multi.get(), easy) != CURLM_OK) {
      throw Error(ErrorCode::Internal, "libcurl could not start a transfer.");
    }
    // Detaches the easy handle before either handle is destroyed, also when
    // a callback's exception unwinds through here.
    struct Attachment {
      CURLM* multi;
      CURL* easy;
      ~Attachment() { curl_multi_remove_handle(multi, easy); }
    } attachment{multi.get(), easy};
    // Declared last, so destroyed first: no wakeup can reach a dead handle.
    const std::stop_callback wakeOnStop(request_.stopToken,
                                        [handle = multi.get()] { curl_multi_wakeup(handle); });

    lastActivity_ = Clock::now();
    for (;;) {
      int running = 0;
      if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
        throw Error(ErrorCode::Internal, "libcurl failed to drive a transfer.");
      }
      if (running == 0) break;
      if (!onTransferInfo()) return CURLE_ABORTED_BY_CALLBACK;
      if (curl_multi_poll(multi.get(), nullptr, 0, static_cast<int>(kLivenessInterval.count()),
                          nullptr) != CURLM_OK) {
        throw Error(ErrorCode::Internal, "libcurl failed to wait for a transfer.");
      }
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
      if (message->msg == CURLMSG_DONE && message->easy_handle == easy) {
        return message->data.result;
      }
    }
    return CURLE_OK;
  }

  void configure(bool headOnly, curl_slist* headers) {
    CURL* h = handle_;
    curl_easy_setopt(h, CURLOPT_URL, request_.url.c_str());
    // Only http(s), also after redirects: a redirect to file:// or any other
    // protocol must not let a server read local files or reach odd services.
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(std::max(limits_.maxRedirects, 0)));
    // Threads: no SIGALRM-based DNS timeouts.
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!limits_.caBundlePath.empty()) {
      curl_easy_setopt(h, CURLOPT_CAINFO, limits_.caBundlePath.c_str());
    }
    curl_easy_setopt(h, CURLOPT_USERAGENT, "etvision/" ETVISION_VERSION);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(limits_.connectTimeout.count()));
    if (limits_.totalTimeout.count() > 0) {
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(limits_.totalTimeout.count()));
    }
    // No CURLOPT_LOW_SPEED_*: the stall timeout is checked by perform() and
    // onTransferInfo with millisecond precision (curl's counts whole
    // seconds).

    // Refuses an announced Content-Length above the limit before any body
    // byte; onBody enforces it for bodies of unannounced length.
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(
                         std::min<std::uint64_t>(limits_.maxBytes, std::uint64_t{INT64_MAX})));
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errorBuffer_);
    if (headers != nullptr) curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (request_.rangeStart) {
      rangeText_ = std::to_string(*request_.rangeStart) + "-";
      curl_easy_setopt(h, CURLOPT_RANGE, rangeText_.c_str());
    }
    if (headOnly) curl_easy_setopt(h, CURLOPT_NOBODY, 1L);

    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Transfer::headerCallback);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Transfer::writeCallback);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &Transfer::transferInfoCallback);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }

  static std::size_t headerCallback(char* buffer, std::size_t size, std::size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    transfer->onHeaderLine(std::string_view(buffer, size * count));
    return size * count;
  }

  static std::size_t writeCallback(char* data, std::size_t size, std::size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    return transfer->onBody(data, size * count) ? size * count : 0;
  }

  static int transferInfoCallback(void* self, curl_off_t /*downloadTotal*/,
                                  curl_off_t /*downloaded*/, curl_off_t /*uploadTotal*/,
                                  curl_off_t /*uploaded*/) {
    return static_cast<Transfer*>(self)->onTransferInfo() ? 0 : 1;
  }

  void onHeaderLine(std::string_view line) {
    lastActivity_ = Clock::now();
    // Each response (redirects included) starts with its status line; only
    // the last response's headers describe the body.
    if (line.starts_with("HTTP/")) {
      etag_.clear();
      lastModified_.clear();
      contentRange_.clear();
      return;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (equalsIgnoringCase(name, "ETag")) {
      etag_ = value;
    } else if (equalsIgnoringCase(name, "Last-Modified")) {
      lastModified_ = value;
    } else if (equalsIgnoringCase(name, "Content-Range")) {
      contentRange_ = value;
    }
  }

  bool onBody(const char* data, std::size_t size) {
    lastActivity_ = Clock::now();
    if (!headDelivered_) {
      captureHead(handle_);
      deliverHead();
      if (handlerError_) return false;
    }
    if (size > limits_.maxBytes - std::min(received_, limits_.maxBytes)) {
      abortReason_ = AbortReason::TooLarge;
      return false;
    }
    received_ += size;
    if (handlers_ != nullptr && handlers_->onBody) {
      try {
        handlers_->onBody(reinterpret_cast<const std::uint8_t*>(data), size);
      } catch (...) {
        handlerError_ = std::current_exception();
        return false;
      }
    }
    return true;
  }

  bool onTransferInfo() {
    if (request_.stopToken.stop_requested()) {
      abortReason_ = AbortReason::Cancelled;
      return false;
    }
    if (Clock::now() - lastActivity_ > limits_.stallTimeout) {
      abortReason_ = AbortReason::Stalled;
      return false;
    }
    return true;
  }

  void captureHead(CURL* h) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &head_.status);
    curl_off_t length = -1;
    curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (length >= 0) head_.contentLength = static_cast<std::uint64_t>(length);
    head_.etag = etag_;
    head_.lastModified = lastModified_;
    head_.contentRange = contentRange_;
  }

  void deliverHead() {
    headDelivered_ = true;
    if (handlers_ == nullptr || !handlers_->onResponse) return;
    try {
      handlers_->onResponse(head_);
    } catch (...) {
      handlerError_ = std::current_exception();
    }
  }

  [[noreturn]] void throwForFailure(CURL* h, CURLcode code) const {
    const std::string url = urlForDisplay(request_.url);
    const std::string prefix = "Could not fetch " + url + ": ";
    switch (abortReason_) {
      case AbortReason::Cancelled:
        throw Error(ErrorCode::DownloadInterrupted, "Fetching " + url + " was cancelled.");
      case AbortReason::TooLarge: throw tooLarge(prefix);
      case AbortReason::Stalled:
        throw Error(failureCode_, prefix + "no data arrived for " +
                                      std::to_string(limits_.stallTimeout.count()) +
                                      " ms (stall timeout). Check the network connection "
                                      "or allow a longer stall timeout.");
      case AbortReason::None: break;
    }
    const std::string detail =
        errorBuffer_[0] != '\0' ? std::string(errorBuffer_) : std::string(curl_easy_strerror(code));
    switch (code) {
      case CURLE_HTTP_RETURNED_ERROR: {
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        std::string reason(statusReason(status));
        throw HttpStatusError(failureCode_, status,
                              prefix + "the server answered HTTP " + std::to_string(status) +
                                  (reason.empty() ? "" : " (" + reason + ")") + ". " +
                                  statusAdvice(status));
      }
      case CURLE_FILESIZE_EXCEEDED: throw tooLarge(prefix);
      case CURLE_PARTIAL_FILE:
        throw Error(failureCode_, prefix +
                                      "the connection closed before the whole body "
                                      "arrived (" +
                                      detail + "). The download was discarded; try again.");
      case CURLE_OPERATION_TIMEDOUT:
        throw Error(failureCode_, prefix + "timed out (" + detail +
                                      "). Check the network connection or "
                                      "allow a longer timeout.");
      case CURLE_UNSUPPORTED_PROTOCOL:
        throw Error(failureCode_, prefix + detail +
                                      ". Only http and https URLs, and redirects to them, "
                                      "are followed.");
      case CURLE_TOO_MANY_REDIRECTS:
        throw Error(failureCode_, prefix + detail + " (at most " +
                                      std::to_string(limits_.maxRedirects) +
                                      " redirects are followed).");
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
        throw Error(failureCode_, prefix + detail +
                                      ". The server's TLS certificate could not be "
                                      "verified; if it is signed by a private CA, pass that "
                                      "CA's PEM bundle as the CA bundle path.");
      default:
        throw Error(failureCode_, prefix + detail + " (curl error " +
                                      std::to_string(static_cast<int>(code)) +
                                      "). Check the network connection and the URL.");
    }
  }

  Error tooLarge(const std::string& prefix) const {
    return Error(failureCode_, prefix + "the body is larger than the limit of " +
                                   std::to_string(limits_.maxBytes) +
                                   " bytes. Raise the size limit if the file is expected "
                                   "to be this large.");
  }

  const HttpRequest& request_;
  const HttpLimits& limits_;
  ErrorCode failureCode_;
  const HttpBodyHandlers* handlers_;

  CURL* handle_ = nullptr;
  char errorBuffer_[CURL_ERROR_SIZE] = {};
  std::string rangeText_;
  std::string etag_;
  std::string lastModified_;
  std::string contentRange_;
  HttpResponseHead head_;
  bool headDelivered_ = false;
  std::uint64_t received_ = 0;
  Clock::time_point lastActivity_;
  AbortReason abortReason_ = AbortReason::None;
  std::exception_ptr handlerError_;
};

}  // namespace

void httpGetStreaming(const HttpRequest& request, const HttpLimits& limits, ErrorCode failureCode,
                      const HttpBodyHandlers& handlers) {
  Transfer(request, limits, failureCode, &handlers).run(/*headOnly=*/false);
}

HttpResponseHead httpHead(const HttpRequest& request, const HttpLimits& limits,
                          ErrorCode failureCode) {
  return Transfer(request, limits, failureCode, nullptr).run(/*headOnly=*/true);
}

std::vector<std::uint8_t> httpGetToMemory(const std::string& url, const HttpLimits& limits,
                                          ErrorCode failureCode) {
  std::vector<std::uint8_t> body;
  HttpBodyHandlers handlers;
  handlers.onResponse = [&](const HttpResponseHead& head) {
    // Content-Length is only a hint (the limit was already checked), but it
    // saves reallocations for large images.
    if (head.contentLength) {
      body.reserve(static_cast<std::size_t>(std::min(*head.contentLength, limits.maxBytes)));
    }
  };
  handlers.onBody = [&](const std::uint8_t* data, std::size_t size) {
    body.insert(body.end(), data, data + size);
  };
  HttpRequest request;
  request.url = url;
  httpGetStreaming(request, limits, failureCode, handlers);
  return body;
}

}  // namespace etvision::detail
