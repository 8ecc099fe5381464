// Helpers shared by the model-fetching tests (tests/integration/fetch_*):
// file contents, errors, the cache directory's listing and progress checks.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "etvision/error.h"
#include "etvision/fetch.h"

namespace etvision::test {

inline std::string randomBytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(byte(generator));
  return bytes;
}

inline void writeFile(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Calls `call`, which must throw etvision::Error, and returns the error.
inline Error errorFrom(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "expected an etvision::Error";
  return Error(ErrorCode::UnknownError, "no error thrown");
}

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

/// Every name in `dir`, sorted; empty when `dir` does not exist.
inline std::vector<std::string> directoryEntries(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  if (!std::filesystem::exists(dir)) return names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// The names a cache entry for `url` may consist of: the file, its lock, and
/// (only after a killed process) the resumable partial file and its sidecar.
struct CacheEntryNames {
  std::string file;
  std::string lock;
  std::string partial;
  std::string partialMeta;

  explicit CacheEntryNames(std::string_view url)
      : file(cacheFileName(url)),
        lock(file + ".lock"),
        partial(file + ".part"),
        partialMeta(file + ".part.meta") {}
};

/// Records progress values and checks the guarantees fetch.h gives.
struct ProgressLog {
  std::vector<double> values;

  ProgressCallback callback() {
    return [this](double progress) { values.push_back(progress); };
  }

  std::size_t intermediateCount() const {
    return static_cast<std::size_t>(
        std::count_if(values.begin(), values.end(), [](double v) { return v > 0.0 && v < 1.0; }));
  }

  /// Monotonic, within [0, 1], and exactly one 1.0, at the end.
  void expectCompleted() const {
    ASSERT_FALSE(values.empty());
    for (std::size_t i = 0; i < values.size(); ++i) {
      EXPECT_GE(values[i], 0.0) << i;
      EXPECT_LE(values[i], 1.0) << i;
      if (i > 0) {
        EXPECT_GE(values[i], values[i - 1]) << i;
      }
    }
    EXPECT_EQ(values.back(), 1.0);
    EXPECT_EQ(std::count(values.begin(), values.end(), 1.0), 1);
  }

  /// After a failure: monotonic, within [0, 1), never the final 1.0.
  void expectFailed() const {
    for (std::size_t i = 0; i < values.size(); ++i) {
      EXPECT_GE(values[i], 0.0) << i;
      EXPECT_LT(values[i], 1.0) << i;
      if (i > 0) {
        EXPECT_GE(values[i], values[i - 1]) << i;
      }
    }
  }
};

}  // namespace etvision::test
