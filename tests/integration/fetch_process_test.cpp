// Model fetching across real processes: the `etvision fetch` command-line
// tool run as child processes against one cache directory. Two processes
// downloading the same model at once, a process killed with SIGKILL in the
// middle of a download and started again, and a process whose disk fills up.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "etvision/fetch.h"
#include "fetch/file_lock.h"
#include "fetch/sha256.h"
#include "support/child_process.h"
#include "support/fetch_test_support.h"
#include "support/http_test_server.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Waiting for another process is bounded so that a broken build fails
// instead of hanging; the bound is far above what any run needs and is not
// an assertion about speed.
constexpr auto kPatience = 30s;
constexpr auto kPollInterval = 10ms;

/// Polls `condition` until it holds; false when kPatience runs out.
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

std::uint64_t fileSizeOrZero(const fs::path& path) {
  std::error_code error;
  const std::uint64_t size = fs::file_size(path, error);
  return error ? 0 : size;
}

class FetchProcessTest : public ::testing::Test {
 protected:
  FetchProcessTest() : server_(served_.path()) {}

  void SetUp() override {
#ifndef ETVISION_TEST_CLI
    GTEST_SKIP() << "the etvision command-line tool is not built (ETVISION_BUILD_TOOLS=OFF)";
#endif
  }

  /// Starts `etvision fetch URL` with this test's cache directory.
  std::unique_ptr<test::ChildProcess> startFetch(
      const std::string& url, std::optional<std::uint64_t> fileSizeLimit = std::nullopt) {
    const fs::path outputDir = logs_.path() / std::to_string(children_++);
    fs::create_directories(outputDir);
#ifdef ETVISION_TEST_CLI
    const std::string cli = ETVISION_TEST_CLI;
#else
    const std::string cli;
#endif
    return std::make_unique<test::ChildProcess>(test::ChildProcessOptions{
        .argv = {cli, "fetch", url},
        .environment = {{"ETVISION_CACHE_DIR", cacheDir().string()}},
        .outputDir = outputDir,
        .fileSizeLimit = fileSizeLimit,
    });
  }

  /// Runs `etvision fetch URL` to the end and checks it printed the cached
  /// file's path and exited 0.
  void fetchSucceeds(const std::string& url) {
    const auto child = startFetch(url);
    const test::ChildExit exit = child->wait();
    EXPECT_EQ(exit.code, 0) << "signal " << exit.signal << ", stderr: " << child->stderrText();
    EXPECT_EQ(child->stdoutText(), (cacheDir() / cacheFileName(url)).string() + "\n");
  }

  /// Starts a download of `url` (which the server must send slowly), kills
  /// the process with SIGKILL once at least `atLeast` bytes are on disk,
  /// and returns how many were.
  std::uint64_t killMidDownload(const std::string& url, std::uint64_t atLeast) {
    const fs::path partial = cacheDir() / (cacheFileName(url) + ".part");
    const auto child = startFetch(url);
    const bool started = eventually([&] { return fileSizeOrZero(partial) >= atLeast; });
    child->kill(SIGKILL);
    const test::ChildExit exit = child->wait();
    EXPECT_TRUE(started) << "the download never got going: " << child->stderrText();
    EXPECT_EQ(exit.signal, SIGKILL) << "the download ended before it could be killed";
    return fileSizeOrZero(partial);
  }

  const fs::path& cacheDir() const {
    return cache_.path();
  }

  int requestCount(std::string_view method) const {
    return server_.countRequests(method, "/model.pte");
  }

  test::TempDir served_;
  test::TempDir cache_;
  test::TempDir logs_;
  test::HttpTestServer server_;
  int children_ = 0;
};

TEST_F(FetchProcessTest, TwoProcessesDownloadOnceAndShareTheFile) {
  const std::string bytes = test::randomBytes(300'000, 11);
  test::writeFile(served_.path() / "model.pte", bytes);
  const std::string url = server_.url("/model.pte");
  const test::CacheEntryNames names(url);

  // Holding the entry's lock keeps both processes waiting until each has
  // found the cache empty (each sends its HEAD first): then they really
  // compete for one download instead of running one after the other.
  std::optional<detail::FileLock> gate(std::in_place, cacheDir() / names.lock, std::stop_token{});
  const auto first = startFetch(url);
  const auto second = startFetch(url);
  ASSERT_TRUE(eventually([&] { return requestCount("HEAD") == 2; }))
      << "HEADs seen: " << requestCount("HEAD") << "; stderr: " << first->stderrText()
      << second->stderrText();
  gate.reset();

  for (test::ChildProcess* child : {first.get(), second.get()}) {
    const test::ChildExit exit = child->wait();
    EXPECT_EQ(exit.code, 0) << child->stderrText();
    EXPECT_EQ(child->stdoutText(), (cacheDir() / names.file).string() + "\n");
  }
  EXPECT_EQ(requestCount("GET"), 1) << "one process downloads, the other reuses its file";
  EXPECT_TRUE(test::readFile(cacheDir() / names.file) == bytes);
  EXPECT_EQ(test::directoryEntries(cacheDir()), (std::vector<std::string>{names.file, names.lock}));
}

TEST_F(FetchProcessTest, KilledDownloadResumesWithRange) {
  const std::string bytes = test::randomBytes(400'000, 12);
  test::writeFile(served_.path() / "model.pte", bytes);
  const std::string url = server_.url("/model.pte?slow=400000");
  const test::CacheEntryNames names(url);

  const std::uint64_t kept = killMidDownload(url, 40'000);
  ASSERT_GT(kept, 0u);
  ASSERT_LT(kept, bytes.size());
  // The killed process leaves the documented resumable pair, no model.
  EXPECT_EQ(test::directoryEntries(cacheDir()),
            (std::vector<std::string>{names.lock, names.partial, names.partialMeta}));
  EXPECT_TRUE(test::readFile(cacheDir() / names.partial) == bytes.substr(0, kept))
      << "the partial file is not a prefix of the served file";

  fetchSucceeds(url);

  EXPECT_EQ(detail::sha256OfFile(cacheDir() / names.file), detail::sha256Hex(bytes));
  const std::vector<test::RecordedRequest> requests = server_.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.back().method, "GET");
  EXPECT_EQ(requests.back().range, "bytes=" + std::to_string(kept) + "-");
  EXPECT_FALSE(requests.back().ifRange.empty());
  EXPECT_EQ(requestCount("GET"), 2);
  EXPECT_EQ(test::directoryEntries(cacheDir()), (std::vector<std::string>{names.file, names.lock}));
}

TEST_F(FetchProcessTest, KilledDownloadWithoutValidatorRestarts) {
  // Without ETag or Last-Modified a resume could splice two versions of the
  // file, so the bytes are kept but the next run starts from zero.
  const std::string bytes = test::randomBytes(400'000, 13);
  test::writeFile(served_.path() / "model.pte", bytes);
  const std::string url = server_.url("/model.pte?slow=400000&no_validator=1");
  const test::CacheEntryNames names(url);

  ASSERT_GT(killMidDownload(url, 40'000), 0u);
  EXPECT_EQ(test::directoryEntries(cacheDir()),
            (std::vector<std::string>{names.lock, names.partial}));

  fetchSucceeds(url);

  EXPECT_EQ(detail::sha256OfFile(cacheDir() / names.file), detail::sha256Hex(bytes));
  for (const test::RecordedRequest& request : server_.requests()) {
    EXPECT_EQ(request.range, "") << request.method;
  }
  EXPECT_EQ(test::directoryEntries(cacheDir()), (std::vector<std::string>{names.file, names.lock}));
}

TEST_F(FetchProcessTest, KilledDownloadOfAFileThatThenChangedGetsTheNewFile) {
  const std::string oldBytes = test::randomBytes(400'000, 14);
  test::writeFile(served_.path() / "model.pte", oldBytes);
  const std::string url = server_.url("/model.pte?slow=400000");
  const test::CacheEntryNames names(url);

  const std::uint64_t kept = killMidDownload(url, 40'000);
  ASSERT_GT(kept, 0u);
  const std::string newBytes = test::randomBytes(350'000, 15);
  test::writeFile(served_.path() / "model.pte", newBytes);

  fetchSucceeds(url);

  // The resume asked for the rest of the old file; If-Range turned it into
  // the whole new one, and no old byte survived.
  EXPECT_EQ(detail::sha256OfFile(cacheDir() / names.file), detail::sha256Hex(newBytes));
  EXPECT_EQ(server_.requests().back().range, "bytes=" + std::to_string(kept) + "-");
  EXPECT_EQ(test::directoryEntries(cacheDir()), (std::vector<std::string>{names.file, names.lock}));
}

TEST_F(FetchProcessTest, FullDiskFailsWithACodeAndTheNextRunSucceeds) {
  const std::string bytes = test::randomBytes(300'000, 16);
  test::writeFile(served_.path() / "model.pte", bytes);
  const std::string url = server_.url("/model.pte");
  const test::CacheEntryNames names(url);

  // The child may write at most 100 kB per file: like a disk that fills up
  // a third of the way through the download.
  const auto child = startFetch(url, 100'000);
  const test::ChildExit exit = child->wait();
  EXPECT_EQ(exit.code, 1) << "signal " << exit.signal;
  EXPECT_TRUE(test::contains(child->stderrText(), "error 103 (FileWriteFailed)"))
      << child->stderrText();
  EXPECT_EQ(child->stdoutText(), "");
  EXPECT_EQ(test::directoryEntries(cacheDir()), std::vector<std::string>{names.lock});

  fetchSucceeds(url);
  EXPECT_TRUE(test::readFile(cacheDir() / names.file) == bytes);
}

TEST_F(FetchProcessTest, ADownloadErrorReachesTheCommandLineWithItsCode) {
  const std::string url = server_.url("/missing.pte");
  const auto child = startFetch(url);
  const test::ChildExit exit = child->wait();
  EXPECT_EQ(exit.code, 1);
  EXPECT_TRUE(test::contains(child->stderrText(), "error 180 (DownloadFailed)"))
      << child->stderrText();
  EXPECT_TRUE(test::contains(child->stderrText(), "HTTP 404")) << child->stderrText();
  EXPECT_EQ(test::directoryEntries(cacheDir()),
            std::vector<std::string>{test::CacheEntryNames(url).lock});
}

}  // namespace
}  // namespace etvision
