#include "fetch/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "etvision/error.h"

namespace etvision::detail {
namespace {

// How often a cancellable waiter retries; short enough that cancelling feels
// immediate, long enough not to spin.
constexpr std::chrono::milliseconds kPollInterval{25};

[[noreturn]] void throwLockFailure(const std::filesystem::path& path, int error) {
  throw Error(ErrorCode::FileWriteFailed, "Cannot lock " + path.string() + ": " +
                                              std::strerror(error) +
                                              ". Make sure the cache directory is writable.");
}

}  // namespace

FileLock::FileLock(const std::filesystem::path& path, std::stop_token stopToken) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    throw Error(ErrorCode::FileWriteFailed, "Cannot create the lock file " + path.string() + ": " +
                                                std::strerror(errno) +
                                                ". Make sure the cache directory is writable.");
  }
  fd_ = UniqueFd(fd);

  if (!stopToken.stop_possible()) {
    // Nobody can cancel: a blocking wait hands the lock over at once.
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) throwLockFailure(path, errno);
    }
    return;
  }
  // flock() cannot be interrupted by a stop_token, so poll.
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) throwLockFailure(path, errno);
    if (stopToken.stop_requested()) {
      throw Error(ErrorCode::DownloadInterrupted,
                  "Cancelled while waiting for another download of the same "
                  "file (lock " +
                      path.string() + ").");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace etvision::detail
