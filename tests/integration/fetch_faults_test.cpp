// The fault matrix: every way a model download can go wrong, one row each,
// all held to the same three promises:
//   1. the fetch throws etvision::Error with the row's code and a message
//      that says what happened;
//   2. the cache directory holds nothing of the failed download except the
//      entry's lock file (never a partial or corrupt model; the resumable
//      ".part"/".part.meta" pair only survives a killed process, see
//      fetch_process_test.cpp);
//   3. the next attempt, once the fault is gone, downloads the whole file.
// Server-side faults come from tests/support/http_test_server.py and hit
// only the first `faultedGets` GETs (its "times" option); client-side ones
// (size limit, short stall timeout, file size limit, cancellation) apply to
// the first attempt only.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <stop_token>
#include <string>
#include <vector>

#include "etvision/error.h"
#include "etvision/fetch.h"
#include "support/fetch_test_support.h"
#include "support/http_test_server.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::size_t kFileSize = 300'000;

/// What the client does differently during the failing attempt.
enum class ClientCondition {
  None,
  /// FetchOptions::maxBytes below the file's size.
  SizeLimitBelowTheFile,
  /// FetchOptions::stallTimeout of 300 ms.
  ShortStallTimeout,
  /// RLIMIT_FSIZE below the file's size with SIGXFSZ ignored: writes fail
  /// with EFBIG exactly as they would on a full disk.
  FileSizeLimit,
  /// FetchOptions::stopToken triggered once body bytes have arrived.
  CancelMidBody,
};

struct Fault {
  /// Row name (the test's parameter name).
  const char* name;
  /// Query string selecting the server's misbehaviour ("" for none).
  const char* serverFault;
  /// GETs the failing attempt makes; the server misbehaves for exactly
  /// these, so the retry's GET is served normally.
  int faultedGets;
  ClientCondition client;
  ErrorCode code;
  /// Part of the message that names the cause.
  const char* messagePart;
};

std::ostream& operator<<(std::ostream& out, const Fault& fault) {
  return out << fault.name;
}

const Fault kFaults[] = {
    {"http_404", "status=404", 1, ClientCondition::None, ErrorCode::DownloadFailed, "HTTP 404"},
    {"http_500", "status=500", 1, ClientCondition::None, ErrorCode::DownloadFailed, "HTTP 500"},
    {"body_shorter_than_content_length", "truncate=1000", 1, ClientCondition::None,
     ErrorCode::DownloadFailed, "closed before the whole body arrived"},
    {"connection_reset_mid_body", "reset=20000", 1, ClientCondition::None,
     ErrorCode::DownloadFailed, "reset"},
    {"server_stalls_before_the_body", "stall=30", 1, ClientCondition::ShortStallTimeout,
     ErrorCode::DownloadFailed, "stall timeout"},
    // curl follows 5 redirects; the 6th GET's redirect is one too many.
    {"redirect_loop", "redirect_self=1", 6, ClientCondition::None, ErrorCode::DownloadFailed,
     "at most 5 redirects"},
    {"redirect_to_file_scheme", "redirect=file:///etc/passwd", 1, ClientCondition::None,
     ErrorCode::DownloadFailed, "Only http and https"},
    {"redirect_to_ftp", "redirect=ftp://127.0.0.1/model.pte", 1, ClientCondition::None,
     ErrorCode::DownloadFailed, "Only http and https"},
    // The body would only come after 30 s: failing with "larger than the
    // limit" proves the announced Content-Length was refused before it.
    {"content_length_over_the_size_limit", "no_head=1&stall=30", 1,
     ClientCondition::SizeLimitBelowTheFile, ErrorCode::DownloadFailed, "larger than the limit"},
    // HEAD announces the size: refused before any GET.
    {"head_size_over_the_size_limit", "", 0, ClientCondition::SizeLimitBelowTheFile,
     ErrorCode::DownloadFailed, "more than the limit"},
    // Nothing announces the size: refused while receiving.
    {"unannounced_size_over_the_size_limit", "no_head=1&no_length=1", 1,
     ClientCondition::SizeLimitBelowTheFile, ErrorCode::DownloadFailed, "larger than the limit"},
    {"disk_full", "", 1, ClientCondition::FileSizeLimit, ErrorCode::FileWriteFailed,
     "Free some disk space"},
    {"cancelled_mid_body", "slow=50000", 1, ClientCondition::CancelMidBody,
     ErrorCode::DownloadInterrupted, "cancelled"},
};

/// Lowers RLIMIT_FSIZE (and ignores SIGXFSZ) for one scope. Process-wide, so
/// only for a scope where this process runs no other writer (the HTTP server
/// is a separate process).
class ScopedFileSizeLimit {
 public:
  explicit ScopedFileSizeLimit(rlim_t limit) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    EXPECT_EQ(::sigaction(SIGXFSZ, &ignore, &previousAction_), 0);
    EXPECT_EQ(::getrlimit(RLIMIT_FSIZE, &previousLimit_), 0);
    rlimit lowered = previousLimit_;
    lowered.rlim_cur = limit;
    EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &lowered), 0);
  }
  ~ScopedFileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &previousLimit_);
    ::sigaction(SIGXFSZ, &previousAction_, nullptr);
  }
  ScopedFileSizeLimit(const ScopedFileSizeLimit&) = delete;
  ScopedFileSizeLimit& operator=(const ScopedFileSizeLimit&) = delete;

 private:
  struct sigaction previousAction_ {};
  rlimit previousLimit_{};
};

class FetchFaultTest : public ::testing::TestWithParam<Fault> {
 protected:
  FetchFaultTest() : server_(served_.path()) {}

  FetchOptions options(test::ProgressLog& progress) const {
    FetchOptions result;
    result.cacheDir = cache_.path();
    result.onProgress = progress.callback();
    result.connectTimeout = 5s;
    result.stallTimeout = 5s;
    return result;
  }

  std::string faultyUrl(const Fault& fault) const {
    std::string query = fault.serverFault;
    if (!query.empty()) query += "&times=" + std::to_string(fault.faultedGets);
    return server_.url("/model.pte" + (query.empty() ? "" : "?" + query));
  }

  /// The failing attempt, under the row's client condition.
  Error failingAttempt(const Fault& fault, const std::string& url, test::ProgressLog& progress) {
    FetchOptions fetchOptions = options(progress);
    std::optional<ScopedFileSizeLimit> fileSizeLimit;
    std::stop_source stop;
    switch (fault.client) {
      case ClientCondition::None: break;
      case ClientCondition::SizeLimitBelowTheFile: fetchOptions.maxBytes = kFileSize / 3; break;
      case ClientCondition::ShortStallTimeout: fetchOptions.stallTimeout = 300ms; break;
      case ClientCondition::FileSizeLimit: fileSizeLimit.emplace(kFileSize / 3); break;
      case ClientCondition::CancelMidBody:
        fetchOptions.stopToken = stop.get_token();
        fetchOptions.onProgress = [&](double value) {
          progress.values.push_back(value);
          if (value > 0.0) stop.request_stop();
        };
        break;
    }
    return test::errorFrom([&] { fetchResource({url, {}}, fetchOptions); });
  }

  test::TempDir served_;
  test::TempDir cache_;
  test::HttpTestServer server_;
};

TEST_P(FetchFaultTest, CodedErrorThenCleanCacheThenRetrySucceeds) {
  const Fault& fault = GetParam();
  const std::string bytes = test::randomBytes(kFileSize, 7);
  test::writeFile(served_.path() / "model.pte", bytes);
  const std::string url = faultyUrl(fault);
  const test::CacheEntryNames names(url);

  // 1. A coded error that names the cause.
  test::ProgressLog failedProgress;
  const Error error = failingAttempt(fault, url, failedProgress);
  EXPECT_EQ(error.code(), fault.code) << errorCodeName(error.code()) << ": " << error.what();
  EXPECT_TRUE(test::contains(error.what(), fault.messagePart)) << error.what();
  EXPECT_EQ(server_.countRequests("GET", "/model.pte"), fault.faultedGets);
  failedProgress.expectFailed();

  // 2. Nothing left but the lock (taken only once a GET is due).
  const std::vector<std::string> leftAfterFailure =
      fault.faultedGets > 0 ? std::vector<std::string>{names.lock} : std::vector<std::string>{};
  EXPECT_EQ(test::directoryEntries(cache_.path()), leftAfterFailure);

  // 3. Without the fault, the same fetch succeeds.
  test::ProgressLog retryProgress;
  const fs::path path = fetchResource({url, {}}, options(retryProgress));
  EXPECT_EQ(path, cache_.path() / names.file);
  EXPECT_TRUE(test::readFile(path) == bytes) << "the cached file differs from the served one";
  retryProgress.expectCompleted();
  EXPECT_EQ(server_.countRequests("GET", "/model.pte"), fault.faultedGets + 1);
  EXPECT_EQ(test::directoryEntries(cache_.path()),
            (std::vector<std::string>{names.file, names.lock}));
}

INSTANTIATE_TEST_SUITE_P(FetchFaultMatrix, FetchFaultTest, ::testing::ValuesIn(kFaults),
                         [](const ::testing::TestParamInfo<Fault>& row) {
                           return std::string(row.param.name);
                         });

}  // namespace
}  // namespace etvision
