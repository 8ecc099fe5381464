// The fetcher's security defaults against real servers on loopback: TLS
// certificates are verified (a CA bundle can be given), redirects go to
// http(s) only and at most 5 deep, and no URL can make a cache file land
// outside the cache directory.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "etvision/error.h"
#include "etvision/fetch.h"
#include "support/child_process.h"
#include "support/fetch_test_support.h"
#include "support/http_test_server.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

FetchOptions fastOptions(const fs::path& cacheDir) {
  FetchOptions options;
  options.cacheDir = cacheDir;
  options.connectTimeout = 5s;
  options.stallTimeout = 5s;
  return options;
}

// --- TLS --------------------------------------------------------------------

/// A self-signed certificate for `subjectAltName` (e.g. "IP:127.0.0.1"),
/// made with the openssl command; nullopt when there is no openssl.
std::optional<test::TlsIdentity> makeSelfSignedCertificate(const fs::path& dir,
                                                           const std::string& subjectAltName) {
  test::TlsIdentity identity{dir / "certificate.pem", dir / "key.pem"};
  fs::create_directories(dir / "openssl-output");
  test::ChildProcess openssl({
      .argv = {"/usr/bin/env", "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
               "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=etvision test",
               "-addext", "subjectAltName=" + subjectAltName, "-keyout",
               identity.privateKey.string(), "-out", identity.certificate.string()},
      .environment = {},
      .outputDir = dir / "openssl-output",
      .fileSizeLimit = std::nullopt,
  });
  const test::ChildExit exit = openssl.wait();
  if (exit.code == 127) return std::nullopt;  // env: openssl not found
  EXPECT_EQ(exit.code, 0) << openssl.stderrText();
  return identity;
}

class FetchTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { test::writeFile(served_.path() / "model.pte", bytes_); }

  /// An HTTPS server presenting a self-signed certificate for
  /// `subjectAltName`. openssl is a test dependency (scripts/setup.sh
  /// installs it): without it the test fails rather than skip unseen.
  void startServer(const std::string& subjectAltName) {
    tls_ = makeSelfSignedCertificate(keys_.path(), subjectAltName);
    if (!tls_) {
      // Thrown, so that the calling test stops here (GoogleTest reports it).
      throw std::runtime_error(
          "no openssl command to make a certificate with: run scripts/setup.sh");
    }
    server_.emplace(served_.path(), *tls_);
  }

  void expectCertificateRejected(const FetchOptions& options) {
    const std::string url = server_->url("/model.pte");
    const Error error = test::errorFrom([&] { fetchResource({url, {}}, options); });
    EXPECT_EQ(error.code(), ErrorCode::DownloadFailed) << error.what();
    EXPECT_TRUE(test::contains(error.what(), "certificate")) << error.what();
    EXPECT_EQ(test::directoryEntries(cache_.path()),
              std::vector<std::string>{test::CacheEntryNames(url).lock});
  }

  const std::string bytes_ = test::randomBytes(20'000, 21);
  test::TempDir served_;
  test::TempDir cache_;
  test::TempDir keys_;
  std::optional<test::TlsIdentity> tls_;
  std::optional<test::HttpTestServer> server_;
};

TEST_F(FetchTlsTest, SelfSignedCertificateIsRejectedByDefault) {
  startServer("IP:127.0.0.1");
  expectCertificateRejected(fastOptions(cache_.path()));
  // The TLS handshake failed, so no HTTP request ever reached the server.
  EXPECT_TRUE(server_->requests().empty());
}

TEST_F(FetchTlsTest, CaBundleMakesTheServerTrusted) {
  startServer("IP:127.0.0.1");
  FetchOptions options = fastOptions(cache_.path());
  options.caBundlePath = tls_->certificate.string();
  const fs::path path = fetchResource({server_->url("/model.pte"), {}}, options);
  EXPECT_TRUE(test::readFile(path) == bytes_);
}

TEST_F(FetchTlsTest, TrustedCertificateForAnotherHostIsRejected) {
  startServer("DNS:some-other-host.example");
  FetchOptions options = fastOptions(cache_.path());
  options.caBundlePath = tls_->certificate.string();
  expectCertificateRejected(options);
}

TEST_F(FetchTlsTest, UnreadableCaBundleIsACodedError) {
  startServer("IP:127.0.0.1");
  FetchOptions options = fastOptions(cache_.path());
  options.caBundlePath = (keys_.path() / "no-such-bundle.pem").string();
  const Error error = test::errorFrom([&] {
    fetchResource({server_->url("/model.pte"), {}}, options);
  });
  EXPECT_EQ(error.code(), ErrorCode::DownloadFailed) << error.what();
  EXPECT_TRUE(test::contains(error.what(), "CA bundle")) << error.what();
}

// --- Redirects --------------------------------------------------------------

class FetchRedirectTest : public ::testing::Test {
 protected:
  FetchRedirectTest() : server_(served_.path()) {
    test::writeFile(served_.path() / "model.pte", bytes_);
  }

  const std::string bytes_ = test::randomBytes(10'000, 22);
  test::TempDir served_;
  test::TempDir cache_;
  test::HttpTestServer server_;
};

TEST_F(FetchRedirectTest, RedirectsToOtherSchemesAreRefused) {
  for (const std::string target :
       {"file:///etc/passwd", "FILE:///etc/passwd", "file://localhost/etc/hostname",
        "ftp://127.0.0.1/model.pte", "gopher://127.0.0.1/", "dict://127.0.0.1/",
        "scp://127.0.0.1/model.pte", "ldap://127.0.0.1/", "telnet://127.0.0.1/",
        "smb://127.0.0.1/share/model.pte"}) {
    const std::string url = server_.url("/model.pte?redirect=" + target);
    const Error error = test::errorFrom([&] {
      fetchResource({url, {}}, fastOptions(cache_.path()));
    });
    EXPECT_EQ(error.code(), ErrorCode::DownloadFailed) << target << ": " << error.what();
    EXPECT_TRUE(test::contains(error.what(), "Only http and https")) << error.what();
    EXPECT_FALSE(fs::exists(cache_.path() / cacheFileName(url))) << target;
  }
}

TEST_F(FetchRedirectTest, FiveRedirectsAreFollowedASixthIsNot) {
  // The first `times` GETs of the URL redirect to the URL itself.
  const std::string fiveHops = server_.url("/model.pte?redirect_self=1&times=5");
  EXPECT_TRUE(test::readFile(fetchResource({fiveHops, {}}, fastOptions(cache_.path()))) == bytes_);

  const std::string sixHops = server_.url("/model.pte?redirect_self=1&times=6");
  const Error error = test::errorFrom([&] {
    fetchResource({sixHops, {}}, fastOptions(cache_.path()));
  });
  EXPECT_EQ(error.code(), ErrorCode::DownloadFailed) << error.what();
  EXPECT_TRUE(test::contains(error.what(), "at most 5 redirects")) << error.what();
}

// --- Cache file names -------------------------------------------------------

TEST_F(FetchRedirectTest, NoUrlPlacesAFileOutsideTheCacheDirectory) {
  // The cache is a subdirectory, so that anything escaping it would show up
  // beside it. The server ignores the query, so every URL serves the model.
  const fs::path cacheDir = cache_.path() / "cache";
  const std::vector<std::string> tails = {
      "?x=/../../../escape",
      "?x=..%2F..%2Fescape",
      "?x=%2e%2e%2f%2e%2e%2fescape",
      "?x=%2E%2E/%2E%2E/escape",
      "?x=..\\..\\escape",
      "?x=%00/../escape",
      "?x=" + std::string(2000, '.'),
      "?x=" +
          [] {
            std::string climb;
            for (int i = 0; i < 300; ++i) climb += "../";
            return climb;
          }(),
      "#/../../escape",
  };
  for (const std::string& tail : tails) {
    const std::string url = server_.url("/model.pte" + tail);
    const fs::path path = fetchResource({url, {}}, fastOptions(cacheDir));
    EXPECT_EQ(path.parent_path(), cacheDir) << url;
    EXPECT_EQ(path.lexically_normal().parent_path(), cacheDir) << url;
    EXPECT_LE(path.filename().string().size(), 245u) << url;
    EXPECT_TRUE(test::readFile(path) == bytes_) << url;
  }
  EXPECT_EQ(test::directoryEntries(cache_.path()), std::vector<std::string>{"cache"});
  for (const auto& entry : fs::directory_iterator(cacheDir)) {
    EXPECT_TRUE(entry.is_regular_file()) << entry.path();
  }
}

TEST(FetchSourceTest, SourceWithANulByteIsRejectedBeforeAnyRequest) {
  test::TempDir served;
  test::TempDir cache;
  test::writeFile(served.path() / "model.pte", "model");
  test::HttpTestServer server(served.path());
  // Everything after the NUL would be silently dropped at the C boundary:
  // the URL fetched and the cache name would describe different things.
  for (const std::string& source :
       {server.url("/model.pte") + std::string(1, '\0') + "/../../escape",
        (served.path() / "model.pte").string() + std::string(1, '\0') + ".other"}) {
    const Error error = test::errorFrom([&] {
      fetchResource({source, {}}, fastOptions(cache.path()));
    });
    EXPECT_EQ(error.code(), ErrorCode::InvalidModelSource) << error.what();
    EXPECT_TRUE(test::contains(error.what(), "NUL")) << error.what();
  }
  EXPECT_TRUE(server.requests().empty());
  EXPECT_TRUE(test::directoryEntries(cache.path()).empty());
}

}  // namespace
}  // namespace etvision
