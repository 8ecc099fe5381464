// A real HTTP server on loopback for tests: tests/support/http_test_server.py
// run as a child process. It serves the files of a directory and can inject
// faults chosen per request through the query string:
//
//   ?status=404          answer that status        ?redirect=URL  302 to URL
//   ?redirect_self=1     302 to the same path and query (a redirect loop)
//   ?truncate=N          announce the full length, send N bytes, close
//   ?reset=N             send N bytes, then reset the connection (RST)
//   ?stall=SECONDS       send the headers, then wait before the body
//   ?slow=BYTES_PER_SEC  send the body at about this rate
//   ?no_length=1         no Content-Length (body ends at connection close)
//   ?no_range=1          ignore Range requests (always 200)
//   ?no_head=1           answer HEAD with 405
//   ?no_validator=1      send neither ETag nor Last-Modified
//   ?content_type=TYPE   Content-Type of the answer
//   ?times=K             apply status/redirect/redirect_self/truncate/reset/
//                        stall/slow to the first K GETs of this exact URL
//                        only (for retries; HEADs always see the faults)
//
// Options combine ("/a.bin?slow=100000&no_head=1"). Range, If-Range, ETag
// and Last-Modified work as on a real server.
//
//   etvision::test::TempDir root;
//   ... write root.path() / "model.pte" ...
//   etvision::test::HttpTestServer server(root.path());
//   std::string url = server.url("/model.pte?slow=200000");
//   ... fetch url ...
//   EXPECT_EQ(server.countRequests("GET", "/model.pte"), 1);
//
// Given a TlsIdentity, the server speaks HTTPS instead (url() then starts
// with "https://").
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace etvision::test {

/// One request the server received.
struct RecordedRequest {
  std::string method;   ///< "GET" or "HEAD".
  std::string path;     ///< Path without the query, e.g. "/model.pte".
  std::string query;    ///< Query without '?', e.g. "slow=1000"; may be "".
  std::string range;    ///< The Range header, e.g. "bytes=100-"; "" if none.
  std::string ifRange;  ///< The If-Range header; "" if none.
};

/// The certificate (PEM, may hold a chain) and private key (PEM) an HTTPS
/// test server presents.
struct TlsIdentity {
  std::filesystem::path certificate;
  std::filesystem::path privateKey;
};

class HttpTestServer {
 public:
  /// Starts serving the files under `rootDir` on 127.0.0.1 and a free port,
  /// over HTTPS when `tls` is given. Throws std::runtime_error when the
  /// server does not come up.
  explicit HttpTestServer(const std::filesystem::path& rootDir,
                          std::optional<TlsIdentity> tls = std::nullopt);
  /// Stops the server.
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  /// "http://127.0.0.1:<port>" ("https://" with TLS) followed by
  /// `pathAndQuery` (a leading '/' is added when missing).
  std::string url(std::string_view pathAndQuery) const;

  std::uint16_t port() const { return port_; }

  /// Every request received so far, oldest first (the log endpoint itself
  /// excluded). After stop(), the log as it was when the server stopped.
  /// With TLS, the log is read trusting the server's own certificate, so
  /// that certificate must name 127.0.0.1.
  std::vector<RecordedRequest> requests() const;

  /// Requests with this method ("GET", "HEAD") and path (no query).
  int countRequests(std::string_view method, std::string_view path) const;

  /// Kills the server and waits for it; the port then refuses connections.
  /// Safe to call twice.
  void stop();

 private:
  pid_t pid_ = -1;
  /// Write end of the server's stdin; the server exits when it closes.
  int lifeline_ = -1;
  std::uint16_t port_ = 0;
  std::optional<TlsIdentity> tls_;
  std::vector<RecordedRequest> finalLog_;
};

}  // namespace etvision::test
