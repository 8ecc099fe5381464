#include "support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace etvision::test {
namespace {

std::string readWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// This process's environment with `overrides` set on top, as "NAME=value".
std::vector<std::string> childEnvironment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    const std::string_view name = variable.substr(0, variable.find('='));
    bool overridden = false;
    for (const auto& [overrideName, value] : overrides) overridden |= name == overrideName;
    if (!overridden) result.emplace_back(variable);
  }
  for (const auto& [name, value] : overrides) result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> pointersTo(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

ChildProcess::ChildProcess(ChildProcessOptions options) : options_(std::move(options)) {
  if (options_.argv.empty()) throw std::runtime_error("ChildProcess: no program given");
  // Everything the child needs is prepared before fork(): between fork and
  // exec a multithreaded process may only make async-signal-safe calls.
  std::vector<std::string> arguments = options_.argv;
  std::vector<std::string> environment = childEnvironment(options_.environment);
  std::vector<char*> argv = pointersTo(arguments);
  std::vector<char*> envp = pointersTo(environment);
  const std::string stdoutPath = (options_.outputDir / "stdout").string();
  const std::string stderrPath = (options_.outputDir / "stderr").string();
  rlimit fileSizeLimit{};
  if (options_.fileSizeLimit) {
    fileSizeLimit.rlim_cur = *options_.fileSizeLimit;
    fileSizeLimit.rlim_max = *options_.fileSizeLimit;
  }
  const bool limitFileSize = options_.fileSizeLimit.has_value();

  const pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error(std::string("ChildProcess: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    const int out = ::open(stdoutPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(stderrPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || null < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
        ::dup2(err, STDERR_FILENO) < 0 || ::dup2(null, STDIN_FILENO) < 0) {
      ::_exit(126);
    }
    for (const int fd : {out, err, null}) {
      if (fd > STDERR_FILENO) ::close(fd);
    }
    if (limitFileSize) {
      // An ignored signal stays ignored across exec.
      struct sigaction ignore {};
      ignore.sa_handler = SIG_IGN;
      if (::sigaction(SIGXFSZ, &ignore, nullptr) != 0 ||
          ::setrlimit(RLIMIT_FSIZE, &fileSizeLimit) != 0) {
        ::_exit(126);
      }
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  pid_ = pid;
}

ChildProcess::~ChildProcess() {
  if (exit_) return;
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

void ChildProcess::kill(int signal) {
  if (!exit_) ::kill(pid_, signal);
}

ChildExit ChildProcess::wait() {
  if (exit_) return *exit_;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      throw std::runtime_error(std::string("ChildProcess: waitpid: ") + std::strerror(errno));
    }
  }
  ChildExit result;
  if (WIFEXITED(status)) result.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  exit_ = result;
  return result;
}

std::string ChildProcess::stdoutText() const {
  return readWholeFile(options_.outputDir / "stdout");
}

std::string ChildProcess::stderrText() const {
  return readWholeFile(options_.outputDir / "stderr");
}

}  // namespace etvision::test
