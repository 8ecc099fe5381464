// Runs a program as a real child process (fork + execve) for tests that need
// several processes: two downloaders racing for one cache entry, a download
// killed with SIGKILL, a process whose file size limit fills the "disk".
//
//   test::ChildProcess child({.argv = {cliPath, "fetch", url},
//                             .environment = {{"ETVISION_CACHE_DIR", dir}},
//                             .outputDir = logs.path()});
//   ... child.kill(SIGKILL) ...
//   const test::ChildExit exit = child.wait();
//   EXPECT_EQ(exit.code, 0) << child.stderrText();
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace etvision::test {

struct ChildProcessOptions {
  /// Program (an absolute path) and its arguments.
  std::vector<std::string> argv;
  /// Variables set (or replaced) on top of this process's environment.
  std::vector<std::pair<std::string, std::string>> environment;
  /// Where the child's stdout and stderr go, as the files "stdout" and
  /// "stderr" (created or truncated); must exist.
  std::filesystem::path outputDir;
  /// When set, RLIMIT_FSIZE in the child, with SIGXFSZ ignored so that a
  /// write past the limit fails with EFBIG, as on a full disk, instead of
  /// killing the child.
  std::optional<std::uint64_t> fileSizeLimit;
};

/// How a child ended: `code` is its exit status, or -1 when a signal
/// ended it (`signal` then names it).
struct ChildExit {
  int code = -1;
  int signal = 0;
};

class ChildProcess {
 public:
  /// Starts the child. Throws std::runtime_error when it cannot be started
  /// (a failed exec shows as exit code 127).
  explicit ChildProcess(ChildProcessOptions options);
  /// Kills (SIGKILL) and reaps a child still running: a failed test never
  /// leaves one behind.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  /// Sends `signal` to the child (nothing once it has been reaped).
  void kill(int signal);

  /// Waits for the child to end (once; later calls return the same result).
  ChildExit wait();

  /// What the child wrote so far.
  std::string stdoutText() const;
  std::string stderrText() const;

 private:
  ChildProcessOptions options_;
  pid_t pid_ = -1;
  std::optional<ChildExit> exit_;
};

}  // namespace etvision::test
