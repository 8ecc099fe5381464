#include "fetch/cache_dir.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

#include "etvision/error.h"
#include "etvision/fetch.h"

namespace etvision {
namespace {

/// An environment variable's value, or "" when unset.
std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

/// $HOME, else the home directory in the password database.
std::filesystem::path homeDir() {
  if (std::string home = environment("HOME"); !home.empty()) return home;
  long bufferSize = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(bufferSize > 0 ? static_cast<std::size_t>(bufferSize)
                                          : std::size_t{16384});
  passwd entry{};
  passwd* result = nullptr;
  if (::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &result) == 0 &&
      result != nullptr && result->pw_dir != nullptr && *result->pw_dir != '\0') {
    return result->pw_dir;
  }
  return {};
}

}  // namespace

std::filesystem::path defaultCacheDir() {
  if (std::string dir = environment("ETVISION_CACHE_DIR"); !dir.empty()) {
    return dir;
  }
  // The XDG Base Directory spec says relative values are invalid and must be
  // ignored.
  if (std::filesystem::path xdg = environment("XDG_CACHE_HOME"); xdg.is_absolute()) {
    return xdg / "etvision";
  }
  const std::filesystem::path home = homeDir();
  if (home.empty()) {
    throw Error(ErrorCode::FileWriteFailed,
                "Cannot find a cache directory: HOME is not set and the user "
                "has no home directory. Set ETVISION_CACHE_DIR or pass "
                "FetchOptions::cacheDir.");
  }
  return home / ".cache" / "etvision";
}

namespace detail {

void ensureCacheDir(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (!error && std::filesystem::is_directory(dir, error)) return;
  throw Error(ErrorCode::FileWriteFailed,
              "Cannot create the model cache directory " + dir.string() +
                  (error ? ": " + error.message() : ": it is not a directory") +
                  ". Set ETVISION_CACHE_DIR or FetchOptions::cacheDir to a "
                  "writable directory.");
}

}  // namespace detail
}  // namespace etvision
