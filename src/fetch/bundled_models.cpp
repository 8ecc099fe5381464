#include "fetch/bundled_models.h"

#include <dlfcn.h>

#include <cstdlib>
#include <string>
#include <system_error>

#include "etvision/error.h"

namespace etvision::detail {

namespace {

// <prefix>/share/etvision/models for the prefix this library was installed
// into, found from the library's own location so that an installed tree can
// be moved (or installed with --prefix) and still find its models.
std::filesystem::path modelsBesideThisLibrary() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&bundledModelDirs), &info) == 0 ||
      info.dli_fname == nullptr) {
    return {};
  }
  std::error_code ec;
  const auto library = std::filesystem::canonical(info.dli_fname, ec);
  if (ec) return {};
  // <prefix>/lib/libetvision.so or <prefix>/lib/x86_64-linux-gnu/libetvision.so
  const auto libraryDir = library.parent_path();
  for (const auto& prefix : {libraryDir.parent_path(), libraryDir.parent_path().parent_path()}) {
    const auto candidate = prefix / "share" / "etvision" / "models";
    if (std::filesystem::is_directory(candidate, ec)) return candidate;
  }
  return {};
}

}  // namespace

std::vector<std::filesystem::path> bundledModelDirs() {
  std::vector<std::filesystem::path> dirs;
  if (const char* custom = std::getenv("ETVISION_MODEL_DIR");
      custom != nullptr && *custom != '\0') {
    dirs.emplace_back(custom);
  }
  if (auto beside = modelsBesideThisLibrary(); !beside.empty()) dirs.push_back(std::move(beside));
#if defined(ETVISION_BUNDLED_MODEL_INSTALL_DIR)
  dirs.emplace_back(ETVISION_BUNDLED_MODEL_INSTALL_DIR);
#endif
#if defined(ETVISION_BUNDLED_MODEL_SOURCE_DIR)
  dirs.emplace_back(ETVISION_BUNDLED_MODEL_SOURCE_DIR);
#endif
  return dirs;
}

std::filesystem::path resolveBundledModel(std::string_view name) {
  const std::string source = "bundled:" + std::string(name);
  const std::filesystem::path relative{std::string(name)};
  if (name.empty() || relative.is_absolute()) {
    throw Error(ErrorCode::InvalidModelSource,
                "\"" + source +
                    "\" must name a model file relative to the model "
                    "directory, e.g. bundled:mobilenet_v2/"
                    "mobilenet_v2_xnnpack_fp32.pte.");
  }
  for (const auto& part : relative) {
    // ".." could reach any file on the system through a bundled name.
    if (part == "..") {
      throw Error(ErrorCode::InvalidModelSource,
                  "\"" + source +
                      "\" must not contain \"..\": bundled names stay inside "
                      "the model directory. Use a path or file:// URI for "
                      "other files.");
    }
  }

  std::string searched;
  for (const std::filesystem::path& dir : bundledModelDirs()) {
    const std::filesystem::path candidate = dir / relative;
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate, error)) return candidate;
    searched += (searched.empty() ? "" : ", ") + dir.string();
  }
  throw Error(ErrorCode::InvalidModelSource,
              "No bundled model \"" + std::string(name) + "\" in " + searched +
                  ". Install etvision's models, or set ETVISION_MODEL_DIR to "
                  "the directory that holds them.");
}

}  // namespace etvision::detail
