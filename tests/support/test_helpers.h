// Small helpers shared by the integration tests.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "etvision/error.h"
#include "etvision/segmentation.h"

namespace etvision::test {

inline nlohmann::json readJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return nlohmann::json::parse(in);
}

/// The code of the etvision::Error that `f` throws; a test failure (and
/// UnknownError) when it throws none.
template <typename F>
ErrorCode errorCodeOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no etvision::Error thrown";
  return ErrorCode::UnknownError;
}

/// Pascal VOC's 21 label names, from the library's own table.
inline std::vector<std::string> vocLabelNames() {
  std::vector<std::string> names;
  for (int i = 0; i < static_cast<int>(DeeplabLabel::ARGMAX); ++i) {
    names.emplace_back(deeplabLabelName(static_cast<DeeplabLabel>(i)));
  }
  return names;
}

/// Waits until `counter` has moved past the value it had on entry: progress
/// counted by the workers, not time. A counter that never moves makes the
/// test hit its ctest timeout, which fails it.
inline void waitForNextCount(const std::atomic<int>& counter) {
  const int from = counter.load();
  while (counter.load() == from) std::this_thread::yield();
}

}  // namespace etvision::test
