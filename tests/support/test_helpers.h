// Small helpers shared by the integration tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "etvision/error.h"

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

}  // namespace etvision::test
