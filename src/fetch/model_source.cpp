#include "fetch/model_source.h"

#include <system_error>

#include "etvision/error.h"
#include "fetch/bundled_models.h"
#include "fetch/uri.h"

namespace etvision::detail {
namespace {

constexpr std::string_view kBundledPrefix = "bundled:";
constexpr std::string_view kAccepted =
    "Give an http(s) URL, a file:// URI, a file path or "
    "bundled:<model path>.";

/// Checks that a local source names a regular file.
std::filesystem::path requireRegularFile(const std::filesystem::path& path,
                                         std::string_view source) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  std::string problem;
  if (!std::filesystem::exists(status)) {
    problem = "does not exist";
  } else if (std::filesystem::is_directory(status)) {
    problem = "is a directory, not a model file";
  } else if (!std::filesystem::is_regular_file(status)) {
    problem = "is not a regular file";
  }
  if (!problem.empty()) {
    const std::string shown = path.string() == source ? "\"" + path.string() + "\""
                                                      : "\"" + path.string() + "\" (from \"" +
                                                            std::string(source) + "\")";
    throw Error(ErrorCode::InvalidModelSource,
                "The model file " + shown + " " + problem + "; check the path.");
  }
  // Used in place, so make it independent of later working-directory changes.
  return std::filesystem::absolute(path);
}

}  // namespace

ModelSource parseModelSource(std::string_view source) {
  if (source.empty()) {
    throw Error(ErrorCode::InvalidModelSource,
                "The model source is empty. " + std::string(kAccepted));
  }
  if (source.find('\0') != std::string_view::npos) {
    // Everything after a NUL would be dropped at the C boundary (libcurl,
    // open()): the file fetched or opened would not be the one named, and
    // the cache name would describe yet another.
    throw Error(ErrorCode::InvalidModelSource,
                "The model source \"" + std::string(source.substr(0, source.find('\0'))) +
                    "\" contains a NUL byte, which no URL or file name can hold; check how "
                    "the source string was built.");
  }
  if (source.starts_with(kBundledPrefix)) {
    return ModelSource{
        ModelSource::Kind::Local, {}, resolveBundledModel(source.substr(kBundledPrefix.size()))};
  }
  if (const auto scheme = uriScheme(source)) {
    if (*scheme == "http" || *scheme == "https") {
      return ModelSource{ModelSource::Kind::Remote, std::string(source), {}};
    }
    if (*scheme == "file") {
      std::filesystem::path path;
      try {
        path = fileUriToPath(source);
      } catch (const Error& error) {
        // A malformed file URI is a bad model source, not bad image input.
        throw Error(ErrorCode::InvalidModelSource, error.what());
      }
      return ModelSource{ModelSource::Kind::Local, {}, requireRegularFile(path, source)};
    }
    throw Error(ErrorCode::InvalidModelSource, "Unsupported model source scheme \"" + *scheme +
                                                   "\" in \"" + std::string(source).substr(0, 200) +
                                                   "\". " + std::string(kAccepted));
  }
  return ModelSource{
      ModelSource::Kind::Local, {}, requireRegularFile(std::filesystem::path(source), source)};
}

}  // namespace etvision::detail
