// An exclusive advisory lock on a file (flock), held for the lifetime of the
// object. Serialises downloads of one URL across threads and processes.
#pragma once

#include <filesystem>
#include <stop_token>

#include "fetch/unique_fd.h"

namespace etvision::detail {

class FileLock {
 public:
  /// Creates `path` if needed and blocks until the lock is ours. Throws
  /// Error(FileWriteFailed) when the lock file cannot be created, and
  /// Error(DownloadInterrupted) when `stopToken` is triggered while waiting.
  ///
  /// flock() locks belong to the open file description, so two threads of
  /// one process exclude each other just as two processes do. The lock file
  /// is never deleted: deleting it would let a waiter lock an unlinked inode
  /// while a newcomer locks a fresh file of the same name.
  FileLock(const std::filesystem::path& path, std::stop_token stopToken);

  /// Releases the lock (closing the descriptor releases it).
  ~FileLock() = default;

  FileLock(FileLock&&) = default;
  FileLock& operator=(FileLock&&) = default;

 private:
  UniqueFd fd_;
};

}  // namespace etvision::detail
