#include "fetch/progress_reporter.h"

#include <algorithm>

namespace etvision::detail {
namespace {

// Throttle: report when progress moved by this much, or when this long has
// passed since the last report. Fine enough for a progress bar, coarse
// enough that a fast download does not call back thousands of times.
constexpr double kMinStep = 0.01;
constexpr std::chrono::milliseconds kMinInterval{100};

// Intermediate values stay below 1 so that the only 1.0 is the final one,
// sent when the files are verified and in place, not when the last byte
// arrives.
constexpr double kMaxIntermediate = 0.999;

}  // namespace

ProgressReporter::ProgressReporter(const ProgressCallback& callback) : callback_(callback) {}

std::size_t ProgressReporter::addFile(std::optional<std::uint64_t> totalBytes) {
  files_.push_back(File{totalBytes, 0});
  return files_.size() - 1;
}

void ProgressReporter::setTotal(std::size_t file, std::optional<std::uint64_t> totalBytes) {
  files_.at(file).total = totalBytes;
}

void ProgressReporter::setDone(std::size_t file, std::uint64_t doneBytes) {
  files_.at(file).done = doneBytes;
  reportIfDue();
}

void ProgressReporter::complete(std::size_t file) {
  File& entry = files_.at(file);
  if (!entry.total) entry.total = entry.done;
  entry.done = *entry.total;
  // Not reported here: completing a file of unknown size would turn "0"
  // into "almost 1" just before the final 1.0. The next download's progress
  // or finish() reports it.
}

double ProgressReporter::fraction() const {
  std::uint64_t total = 0;
  std::uint64_t done = 0;
  for (const File& file : files_) {
    if (!file.total) return 0.0;
    total += *file.total;
    done += std::min(file.done, *file.total);
  }
  if (total == 0) return 0.0;
  return static_cast<double>(done) / static_cast<double>(total);
}

void ProgressReporter::start() {
  if (started_) return;
  started_ = true;
  emit(std::min(fraction(), kMaxIntermediate));
}

void ProgressReporter::reportIfDue() {
  if (!started_) return;
  // Never step back: a restarted download or a corrected size can lower the
  // computed fraction, which then simply holds until it catches up.
  const double value = std::min(fraction(), kMaxIntermediate);
  if (value <= lastReported_) return;
  const auto now = std::chrono::steady_clock::now();
  if (value - lastReported_ >= kMinStep || now - lastReportTime_ >= kMinInterval) {
    emit(value);
  }
}

void ProgressReporter::finish() {
  emit(1.0);
}

void ProgressReporter::emit(double value) {
  lastReported_ = value;
  lastReportTime_ = std::chrono::steady_clock::now();
  if (callback_) callback_(value);
}

}  // namespace etvision::detail
