// Model fetching against a real HTTP server on loopback: downloads, the
// cache, progress, failures, resume, locking and local sources. The network
// and disk faults, each with the "coded error, clean cache, retry succeeds"
// promise, are the table in fetch_faults_test.cpp; several processes at once
// and killed processes are in fetch_process_test.cpp; TLS, redirect schemes
// and cache names in fetch_security_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "etvision/error.h"
#include "etvision/fetch.h"
#include "fetch/file_lock.h"
#include "fetch/http_client.h"
#include "fetch/partial_download_meta.h"
#include "fetch/sha256.h"
#include "support/fetch_test_support.h"
#include "support/http_test_server.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using test::contains;
using test::errorFrom;
using test::ProgressLog;
using test::randomBytes;
using test::readFile;
using test::writeFile;

/// Sets or unsets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) previous_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (previous_) {
      ::setenv(name_, previous_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> previous_;
};

class FetchTest : public ::testing::Test {
 protected:
  FetchTest() : server_(served_.path()) {}

  /// Puts `size` random bytes at `name` on the server; returns them.
  std::string serve(const std::string& name, std::size_t size, unsigned seed = 1) {
    std::string bytes = randomBytes(size, seed);
    writeFile(served_.path() / name, bytes);
    return bytes;
  }

  const fs::path& cacheDir() const { return cache_.path(); }

  FetchOptions options() {
    FetchOptions result;
    result.cacheDir = cacheDir();
    result.onProgress = progress_.callback();
    result.connectTimeout = 5s;
    result.stallTimeout = 5s;
    return result;
  }

  fs::path fetch(const std::string& source, FetchOptions fetchOptions) {
    return fetchResource({source, {}}, fetchOptions);
  }
  fs::path fetch(const std::string& source) { return fetch(source, options()); }

  /// Names in the cache directory other than lock files (which may stay).
  std::vector<std::string> cacheEntriesExceptLocks() const {
    std::vector<std::string> names;
    if (!fs::exists(cacheDir())) return names;
    for (const auto& entry : fs::directory_iterator(cacheDir())) {
      const std::string name = entry.path().filename().string();
      if (!name.ends_with(".lock")) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  int gets(const std::string& path) const { return server_.countRequests("GET", path); }

  /// What a process killed mid-download leaves: the first `keep` bytes in
  /// the .part file and the sidecar with the response's validators.
  void leavePartialDownload(const std::string& url, std::string_view bytes,
                            const detail::PartialDownloadMeta& meta) {
    const fs::path file = cacheDir() / cacheFileName(url);
    writeFile(fs::path(file.string() + ".part"), bytes);
    detail::writePartialDownloadMeta(fs::path(file.string() + ".part.meta"), meta);
  }

  /// The validators the server sends for `url`, as a download records them.
  detail::PartialDownloadMeta metaFor(const std::string& url) {
    detail::HttpRequest request;
    request.url = url;
    const auto head = detail::httpHead(request, {}, ErrorCode::DownloadFailed);
    return {url, head.etag, head.lastModified};
  }

  test::TempDir served_;
  test::TempDir cache_;
  test::HttpTestServer server_;
  ProgressLog progress_;
};

TEST_F(FetchTest, DownloadsIntoTheCacheWithProgress) {
  const std::string bytes = serve("model.pte", 300'000);
  const std::string url = server_.url("/model.pte?slow=1500000");

  const fs::path path = fetch(url);

  EXPECT_EQ(path, cacheDir() / cacheFileName(url));
  EXPECT_EQ(readFile(path), bytes);
  progress_.expectCompleted();
  EXPECT_GE(progress_.intermediateCount(), 3u);
  EXPECT_LE(progress_.values.size(), 120u) << "progress should be throttled";
  EXPECT_EQ(cacheEntriesExceptLocks(), std::vector<std::string>{cacheFileName(url)});
  EXPECT_EQ(gets("/model.pte"), 1);
}

TEST_F(FetchTest, CachedFileIsReusedWithoutAnyRequest) {
  const std::string bytes = serve("model.pte", 10'000);
  const std::string url = server_.url("/model.pte");
  const fs::path first = fetch(url);
  const std::size_t requestsAfterDownload = server_.requests().size();

  progress_.values.clear();
  EXPECT_EQ(fetch(url), first);
  EXPECT_EQ(server_.requests().size(), requestsAfterDownload);
  EXPECT_EQ(progress_.values, std::vector<double>{1.0});

  // Offline: the server is gone, the cached file still serves.
  server_.stop();
  EXPECT_EQ(fetch(url), first);
  EXPECT_EQ(readFile(first), bytes);
}

TEST_F(FetchTest, HttpErrorFailsAndLeavesNoFile) {
  const std::string url = server_.url("/missing.pte");
  const Error error = errorFrom([&] { fetch(url); });
  EXPECT_EQ(error.code(), ErrorCode::DownloadFailed);
  EXPECT_TRUE(contains(error.what(), "404")) << error.what();
  EXPECT_TRUE(contains(error.what(), url)) << error.what();
  EXPECT_TRUE(cacheEntriesExceptLocks().empty());
  progress_.expectFailed();

  serve("present.pte", 100);
  const Error injected = errorFrom([&] { fetch(server_.url("/present.pte?status=503")); });
  EXPECT_EQ(injected.code(), ErrorCode::DownloadFailed);
  EXPECT_TRUE(contains(injected.what(), "HTTP 503")) << injected.what();
  EXPECT_TRUE(cacheEntriesExceptLocks().empty());
}

TEST_F(FetchTest, UnknownLengthReportsZeroThenOne) {
  const std::string bytes = serve("model.pte", 100'000);
  const std::string url = server_.url("/model.pte?no_length=1");
  EXPECT_EQ(readFile(fetch(url)), bytes);
  EXPECT_EQ(progress_.values, (std::vector<double>{0.0, 1.0}));
}

TEST_F(FetchTest, RefusedHeadStillDownloads) {
  const std::string bytes = serve("model.pte", 200'000);
  const std::string url = server_.url("/model.pte?no_head=1&slow=2000000");
  EXPECT_EQ(readFile(fetch(url)), bytes);
  progress_.expectCompleted();
  // The GET announced the length, so progress moved before the end.
  EXPECT_GE(progress_.intermediateCount(), 1u);
}

TEST_F(FetchTest, RedirectIsFollowed) {
  const std::string bytes = serve("real.pte", 5000);
  const std::string url = server_.url("/alias.pte?redirect=" + server_.url("/real.pte"));
  const fs::path path = fetch(url);
  EXPECT_EQ(path, cacheDir() / cacheFileName(url));
  EXPECT_EQ(readFile(path), bytes);
}

TEST_F(FetchTest, Sha256IsVerified) {
  const std::string bytes = serve("model.pte", 20'000);
  const std::string url = server_.url("/model.pte");
  const std::string digest = detail::sha256Hex(bytes);
  EXPECT_EQ(readFile(fetchResource({url, digest}, options())), bytes);
}

TEST_F(FetchTest, Sha256MismatchFailsAndLeavesNoFile) {
  const std::string bytes = serve("model.pte", 20'000);
  const std::string wrong = detail::sha256Hex("something else");
  const Error error = errorFrom([&] {
    fetchResource({server_.url("/model.pte"), wrong}, options());
  });
  EXPECT_EQ(error.code(), ErrorCode::DownloadFailed);
  EXPECT_TRUE(contains(error.what(), wrong)) << error.what();
  EXPECT_TRUE(contains(error.what(), detail::sha256Hex(bytes))) << error.what();
  EXPECT_TRUE(cacheEntriesExceptLocks().empty());
  progress_.expectFailed();
}

TEST_F(FetchTest, MalformedSha256IsRejectedBeforeDownloading) {
  serve("model.pte", 100);
  const Error error = errorFrom([&] {
    fetchResource({server_.url("/model.pte"), "abc"}, options());
  });
  EXPECT_EQ(error.code(), ErrorCode::InvalidUserInput);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(FetchTest, CancellationWakesAStalledTransfer) {
  serve("model.pte", 1000);
  std::stop_source stop;
  FetchOptions fetchOptions = options();
  fetchOptions.stopToken = stop.get_token();
  std::jthread canceller([&] {
    std::this_thread::sleep_for(300ms);
    stop.request_stop();
  });
  // Were the stop request not to wake the transfer, the stall timeout would
  // end it with DownloadFailed instead.
  const Error error = errorFrom([&] { fetch(server_.url("/model.pte?stall=30"), fetchOptions); });
  EXPECT_EQ(error.code(), ErrorCode::DownloadInterrupted) << error.what();
  EXPECT_TRUE(cacheEntriesExceptLocks().empty());
}

TEST_F(FetchTest, CancellationWhileWaitingForAnotherDownload) {
  serve("model.pte", 1000);
  const std::string url = server_.url("/model.pte");
  // Another fetcher holds the lock and never finishes.
  const detail::FileLock held(cacheDir() / (cacheFileName(url) + ".lock"), {});
  std::stop_source stop;
  FetchOptions fetchOptions = options();
  fetchOptions.stopToken = stop.get_token();
  std::jthread canceller([&] {
    std::this_thread::sleep_for(200ms);
    stop.request_stop();
  });
  const Error error = errorFrom([&] { fetch(url, fetchOptions); });
  EXPECT_EQ(error.code(), ErrorCode::DownloadInterrupted) << error.what();
  EXPECT_EQ(gets("/model.pte"), 0);
}

TEST_F(FetchTest, AlreadyCancelledFetchMakesNoRequest) {
  serve("model.pte", 100);
  std::stop_source stop;
  stop.request_stop();
  FetchOptions fetchOptions = options();
  fetchOptions.stopToken = stop.get_token();
  const Error error = errorFrom([&] { fetch(server_.url("/model.pte"), fetchOptions); });
  EXPECT_EQ(error.code(), ErrorCode::DownloadInterrupted);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(FetchTest, ResumesAPartialDownloadWithRange) {
  const std::string bytes = serve("model.pte", 300'000);
  const std::string url = server_.url("/model.pte");
  const detail::PartialDownloadMeta meta = metaFor(url);
  ASSERT_FALSE(meta.etag.empty());
  leavePartialDownload(url, std::string_view(bytes).substr(0, 100'000), meta);

  EXPECT_EQ(readFile(fetch(url)), bytes);

  const auto requests = server_.requests();
  const auto get = std::find_if(requests.begin(), requests.end(),
                                [](const auto& r) { return r.method == "GET"; });
  ASSERT_NE(get, requests.end());
  EXPECT_EQ(get->range, "bytes=100000-");
  EXPECT_EQ(get->ifRange, meta.etag);
  EXPECT_EQ(gets("/model.pte"), 1);
  EXPECT_EQ(cacheEntriesExceptLocks(), std::vector<std::string>{cacheFileName(url)});
  progress_.expectCompleted();
}

TEST_F(FetchTest, ResumeOfAChangedFileRestarts) {
  const std::string oldBytes = serve("model.pte", 200'000, 1);
  const std::string url = server_.url("/model.pte");
  const detail::PartialDownloadMeta meta = metaFor(url);
  leavePartialDownload(url, std::string_view(oldBytes).substr(0, 80'000), meta);
  const std::string newBytes = serve("model.pte", 150'000, 2);

  EXPECT_EQ(readFile(fetch(url)), newBytes);
  // One GET: the If-Range with the old ETag turned the resume into a full
  // answer of the new file.
  EXPECT_EQ(gets("/model.pte"), 1);
  for (const auto& request : server_.requests()) {
    if (request.method != "GET") continue;
    EXPECT_EQ(request.range, "bytes=80000-");
    EXPECT_EQ(request.ifRange, meta.etag);
  }
  progress_.expectCompleted();
}

TEST_F(FetchTest, PartialWithoutValidatorRestartsFromZero) {
  const std::string bytes = serve("model.pte", 100'000);
  const std::string url = server_.url("/model.pte");
  leavePartialDownload(url, std::string(50'000, 'x'), {url, "", ""});

  EXPECT_EQ(readFile(fetch(url)), bytes);
  for (const auto& request : server_.requests()) EXPECT_EQ(request.range, "");
}

TEST_F(FetchTest, ServerIgnoringRangeRestartsFromZero) {
  const std::string bytes = serve("model.pte", 100'000);
  const std::string url = server_.url("/model.pte?no_range=1");
  leavePartialDownload(url, std::string(50'000, 'x'), metaFor(url));

  EXPECT_EQ(readFile(fetch(url)), bytes);
  EXPECT_EQ(gets("/model.pte"), 1);
  const auto requests = server_.requests();
  EXPECT_EQ(requests.back().range, "bytes=50000-");  // asked, but got a 200
  progress_.expectCompleted();
}

TEST_F(FetchTest, CompletePartialFileIsReplaced) {
  // A process killed between the last byte and the rename: the resume asks
  // for a range past the end (416), and the download starts over.
  const std::string bytes = serve("model.pte", 10'000);
  const std::string url = server_.url("/model.pte");
  leavePartialDownload(url, bytes, metaFor(url));
  EXPECT_EQ(readFile(fetch(url)), bytes);
  const auto requests = server_.requests();
  ASSERT_EQ(gets("/model.pte"), 2);
  EXPECT_EQ(requests[requests.size() - 2].range, "bytes=10000-");
  EXPECT_EQ(requests.back().range, "");
}

TEST_F(FetchTest, ConcurrentFetchesOfOneUrlDownloadOnce) {
  const std::string bytes = serve("model.pte", 300'000);
  const std::string url = server_.url("/model.pte?slow=1000000");
  std::barrier start(2);
  fs::path paths[2];
  std::optional<std::string> failures[2];
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      FetchOptions fetchOptions;
      fetchOptions.cacheDir = cacheDir();
      start.arrive_and_wait();
      try {
        paths[i] = fetchResource({url, {}}, fetchOptions);
      } catch (const std::exception& error) {
        failures[i] = error.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();

  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(failures[i]) << *failures[i];
    EXPECT_EQ(paths[i], cacheDir() / cacheFileName(url));
  }
  EXPECT_EQ(readFile(paths[0]), bytes);
  EXPECT_EQ(gets("/model.pte"), 1);
}

TEST_F(FetchTest, ProgressIsByteWeightedOverAllFiles) {
  test::TempDir local;
  writeFile(local.path() / "local.pte", randomBytes(100'000, 3));
  const std::string remote = serve("remote.pte", 300'000);
  const std::string url = server_.url("/remote.pte?slow=1500000");

  const auto paths =
      fetchResources({{(local.path() / "local.pte").string(), {}}, {url, {}}}, options());

  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0], local.path() / "local.pte");
  EXPECT_EQ(readFile(paths[1]), remote);
  progress_.expectCompleted();
  // The local file is a quarter of the bytes and counts as done from the start.
  EXPECT_NEAR(progress_.values.front(), 0.25, 1e-9);
  EXPECT_GE(progress_.intermediateCount(), 3u);
}

TEST_F(FetchTest, BadSourceFailsBeforeAnyDownload) {
  serve("model.pte", 1000);
  const Error error = errorFrom([&] {
    fetchResources({{server_.url("/model.pte"), {}}, {"ftp://example.com/x.pte", {}}}, options());
  });
  EXPECT_EQ(error.code(), ErrorCode::InvalidModelSource);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(FetchTest, UnwritableCacheDirFails) {
  serve("model.pte", 1000);
  writeFile(cacheDir() / "not-a-dir", "x");
  FetchOptions fetchOptions = options();
  fetchOptions.cacheDir = cacheDir() / "not-a-dir" / "cache";
  const Error error = errorFrom([&] { fetch(server_.url("/model.pte"), fetchOptions); });
  EXPECT_EQ(error.code(), ErrorCode::FileWriteFailed) << error.what();
}

// --- Local sources ----------------------------------------------------------

class FetchLocalTest : public ::testing::Test {
 protected:
  FetchOptions options() {
    FetchOptions result;
    result.cacheDir = cache_.path() / "cache";
    result.onProgress = progress_.callback();
    return result;
  }

  test::TempDir dir_;
  test::TempDir cache_;
  ProgressLog progress_;
};

TEST_F(FetchLocalTest, FileUriIsPercentDecodedAndUsedInPlace) {
  const fs::path file = dir_.path() / "my model#1.pte";
  writeFile(file, "model");
  std::string uri = "file://" + (dir_.path() / "my%20model%231.pte").string();

  EXPECT_EQ(fetchResource({uri, {}}, options()), file);
  EXPECT_EQ(fetchResource({"file://localhost" + (dir_.path() / "my%20model%231.pte").string(), {}},
                          options()),
            file);
  EXPECT_FALSE(fs::exists(cache_.path() / "cache")) << "local files are not copied";
  EXPECT_EQ(progress_.values, (std::vector<double>{1.0, 1.0}));
}

TEST_F(FetchLocalTest, PlainPathIsUsedInPlace) {
  const fs::path file = dir_.path() / "model.pte";
  writeFile(file, "model");
  EXPECT_EQ(fetchResource({file.string(), {}}, options()), file);
  EXPECT_EQ(progress_.values, std::vector<double>{1.0});
}

TEST_F(FetchLocalTest, MissingOrNonRegularFilesAreInvalidSources) {
  for (const std::string& source : {(dir_.path() / "absent.pte").string(), dir_.path().string(),
                                    "file://" + (dir_.path() / "absent%20file.pte").string()}) {
    const Error error = errorFrom([&] { fetchResource({source, {}}, options()); });
    EXPECT_EQ(error.code(), ErrorCode::InvalidModelSource) << source;
  }
  const Error error = errorFrom([&] {
    fetchResource({(dir_.path() / "absent.pte").string(), {}}, options());
  });
  EXPECT_TRUE(contains(error.what(), "absent.pte")) << error.what();
  EXPECT_TRUE(contains(error.what(), "does not exist")) << error.what();
}

TEST_F(FetchLocalTest, EmptyAndUnsupportedSourcesAreRejected) {
  for (const char* source : {"", "ftp://example.com/x.pte", "s3://bucket/x.pte",
                             "data:application/octet-stream;base64,AAAA",
                             "file://remote-host/x.pte", "file:///bad%zz"}) {
    const Error error = errorFrom([&] { fetchResource({source, {}}, options()); });
    EXPECT_EQ(error.code(), ErrorCode::InvalidModelSource) << source << ": " << error.what();
  }
}

TEST_F(FetchLocalTest, BundledModelsResolveThroughEtvisionModelDir) {
  const fs::path file = dir_.path() / "mobilenet_v2" / "mobilenet_v2_xnnpack_fp32.pte";
  writeFile(file, "model");
  ScopedEnv modelDir("ETVISION_MODEL_DIR", dir_.path().c_str());

  EXPECT_EQ(fetchResource({"bundled:mobilenet_v2/mobilenet_v2_xnnpack_fp32.pte", {}}, options()),
            file);
  EXPECT_EQ(progress_.values, std::vector<double>{1.0});
}

TEST_F(FetchLocalTest, BundledModelsAreFoundInTheSourceTree) {
  const std::string name = "mobilenet_v2/mobilenet_v2_xnnpack_fp32.pte";
  if (!fs::exists(test::bundledModelsDir() / name)) GTEST_SKIP() << "no bundled models here";
  ScopedEnv modelDir("ETVISION_MODEL_DIR", nullptr);
  const fs::path path = fetchResource({"bundled:" + name, {}}, options());
  EXPECT_TRUE(fs::is_regular_file(path)) << path;
  EXPECT_TRUE(path.string().ends_with(name)) << path;
}

TEST_F(FetchLocalTest, BundledNamesCannotEscapeTheModelDir) {
  writeFile(dir_.path() / "models" / "x.pte", "model");
  writeFile(dir_.path() / "secret.pte", "secret");
  ScopedEnv modelDir("ETVISION_MODEL_DIR", (dir_.path() / "models").c_str());

  for (const std::string& source :
       {std::string("bundled:../secret.pte"), std::string("bundled:a/../../secret.pte"),
        "bundled:" + (dir_.path() / "secret.pte").string(), std::string("bundled:"),
        std::string("bundled:missing.pte")}) {
    const Error error = errorFrom([&] { fetchResource({source, {}}, options()); });
    EXPECT_EQ(error.code(), ErrorCode::InvalidModelSource) << source;
  }
  const Error missing = errorFrom([&] { fetchResource({"bundled:missing.pte", {}}, options()); });
  EXPECT_TRUE(contains(missing.what(), "ETVISION_MODEL_DIR")) << missing.what();
}

}  // namespace
}  // namespace etvision
