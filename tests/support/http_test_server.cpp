#include "support/http_test_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "etvision/error.h"
#include "fetch/http_client.h"

namespace etvision::test {
namespace {

constexpr std::chrono::seconds kStartTimeout{20};

[[noreturn]] void throwSystemError(const std::string& what) {
  throw std::runtime_error("HttpTestServer: " + what + ": " + std::strerror(errno));
}

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

/// Reads the first line the server prints (its port), waiting at most
/// kStartTimeout.
std::string readFirstLine(int fd) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("HttpTestServer: no port printed in time");
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throwSystemError("poll");
    }
    if (ready == 0) continue;
    char buffer[64];
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      throwSystemError("read");
    }
    if (got == 0) {
      throw std::runtime_error("HttpTestServer: the server exited before printing its port");
    }
    line.append(buffer, static_cast<std::size_t>(got));
  }
  return line.substr(0, line.find('\n'));
}

}  // namespace

HttpTestServer::HttpTestServer(const std::filesystem::path& rootDir, std::optional<TlsIdentity> tls)
    : tls_(std::move(tls)) {
  // Everything the child needs is prepared before fork(): between fork and
  // exec a multithreaded process may only make async-signal-safe calls.
  std::vector<std::string> arguments = {ETVISION_TEST_PYTHON, "-u", ETVISION_TEST_SERVER_SCRIPT,
                                        "--exit-on-stdin-eof"};
  if (tls_) {
    arguments.insert(arguments.end(),
                     {"--tls", tls_->certificate.string(), tls_->privateKey.string()});
  }
  arguments.push_back(rootDir.string());
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  int output[2];    // the server's stdout: its port
  int lifeline[2];  // the server's stdin: EOF when this process goes away
  if (::pipe2(output, O_CLOEXEC) != 0) throwSystemError("pipe");
  if (::pipe2(lifeline, O_CLOEXEC) != 0) {
    ::close(output[0]);
    ::close(output[1]);
    throwSystemError("pipe");
  }

  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {output[0], output[1], lifeline[0], lifeline[1]}) ::close(fd);
    throwSystemError("fork");
  }
  if (pid == 0) {
    // dup2 clears O_CLOEXEC on the copies; every other descriptor closes at
    // exec.
    if (::dup2(output[1], STDOUT_FILENO) < 0 || ::dup2(lifeline[0], STDIN_FILENO) < 0) {
      ::_exit(126);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }

  pid_ = pid;
  ::close(output[1]);
  ::close(lifeline[0]);
  // The write end stays open (close-on-exec) until stop(); the server exits
  // when it closes, so even a crashed test leaves no server behind.
  lifeline_ = lifeline[1];
  try {
    const std::string line = readFirstLine(output[0]);
    const unsigned long port = std::stoul(line);
    if (port == 0 || port > 65535) throw std::runtime_error("bad port \"" + line + "\"");
    port_ = static_cast<std::uint16_t>(port);
  } catch (...) {
    ::close(output[0]);
    stop();
    throw;
  }
  ::close(output[0]);
}

HttpTestServer::~HttpTestServer() {
  stop();
}

std::string HttpTestServer::url(std::string_view pathAndQuery) const {
  std::string result = (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_);
  if (!pathAndQuery.starts_with('/')) result.push_back('/');
  result.append(pathAndQuery);
  return result;
}

std::vector<RecordedRequest> HttpTestServer::requests() const {
  if (pid_ < 0) return finalLog_;
  detail::HttpLimits limits;
  limits.connectTimeout = std::chrono::seconds(5);
  limits.totalTimeout = std::chrono::seconds(10);
  if (tls_) limits.caBundlePath = tls_->certificate.string();
  const std::vector<std::uint8_t> body =
      detail::httpGetToMemory(url("/__requests"), limits, ErrorCode::Internal);
  const nlohmann::json json = nlohmann::json::parse(body.begin(), body.end());
  std::vector<RecordedRequest> log;
  for (const auto& entry : json) {
    log.push_back({entry.at("method").get<std::string>(), entry.at("path").get<std::string>(),
                   entry.at("query").get<std::string>(), entry.at("range").get<std::string>(),
                   entry.at("if_range").get<std::string>()});
  }
  return log;
}

int HttpTestServer::countRequests(std::string_view method, std::string_view path) const {
  int count = 0;
  for (const RecordedRequest& request : requests()) {
    if (request.method == method && request.path == path) ++count;
  }
  return count;
}

void HttpTestServer::stop() {
  if (pid_ < 0) return;
  if (port_ != 0) {
    try {
      finalLog_ = requests();
    } catch (...) {
      // A server that cannot answer any more has nothing more to report.
    }
  }
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  closeFd(lifeline_);
}

}  // namespace etvision::test
