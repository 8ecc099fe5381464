// Byte-weighted progress over the files of one fetch, reported through the
// user's callback with the guarantees fetch.h promises: monotonic, within
// [0, 1], 0 while any size is unknown, throttled, and exactly one final 1.0.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "etvision/fetch.h"

namespace etvision::detail {

class ProgressReporter {
 public:
  /// `callback` may be empty (nothing is reported then). It is referenced,
  /// not copied, and must outlive the reporter.
  explicit ProgressReporter(const ProgressCallback& callback);

  /// Registers a file of `totalBytes` (nullopt: unknown); returns its index.
  std::size_t addFile(std::optional<std::uint64_t> totalBytes);
  /// Corrects a file's size once a response announces it.
  void setTotal(std::size_t file, std::optional<std::uint64_t> totalBytes);
  /// Records how many bytes of a file are done and reports if due.
  void setDone(std::size_t file, std::uint64_t doneBytes);
  /// Marks a file complete (its size becomes known if it was not). Reports
  /// nothing by itself.
  void complete(std::size_t file);

  /// Reports the starting value (0, or the share of files already present).
  void start();
  /// Reports the final 1.0. Call once, after every file succeeded.
  void finish();

 private:
  struct File {
    std::optional<std::uint64_t> total;
    std::uint64_t done = 0;
  };

  double fraction() const;
  void reportIfDue();
  void emit(double value);

  const ProgressCallback& callback_;
  std::vector<File> files_;
  bool started_ = false;
  double lastReported_ = 0.0;
  std::chrono::steady_clock::time_point lastReportTime_;
};

}  // namespace etvision::detail
