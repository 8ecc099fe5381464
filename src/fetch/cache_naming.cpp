// The reference cache naming (react-native-executorch): the URL without its
// scheme and fragment, every character outside [A-Za-z0-9._-] replaced by
// '_'. On top of it, a few rules keep every name a safe, distinct file name.
#include "fetch/cache_naming.h"

#include <array>
#include <string>

#include "etvision/fetch.h"
#include "fetch/sha256.h"
#include "fetch/uri.h"

namespace etvision {
namespace {

bool isPortableNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

/// The part of the URL the name is made of: no scheme, no fragment.
std::string_view nameSource(std::string_view url) {
  if (const auto scheme = detail::uriScheme(url);
      scheme && url.substr(scheme->size(), 3) == "://") {
    url.remove_prefix(scheme->size() + 3);
  }
  return url.substr(0, url.find('#'));
}

// Names ending like one of our own sidecar files would collide with the
// sidecars of another URL ("x" downloads through "x.part").
constexpr std::array<std::string_view, 3> kSidecarSuffixes = {".part", ".lock", ".part.meta"};

/// Shortens an over-long name: keeps its start and its extension, and puts a
/// hash of the whole URL between them so that URLs sharing a long prefix
/// still get distinct names.
std::string shorten(const std::string& name, std::string_view source) {
  constexpr std::size_t kHashLength = 16;
  constexpr std::size_t kMaxExtension = 16;
  std::string extension;
  if (const std::size_t dot = name.rfind('.');
      dot != std::string::npos && dot > 0 && name.size() - dot <= kMaxExtension) {
    extension = name.substr(dot);
  }
  const std::string hash = detail::sha256Hex(source).substr(0, kHashLength);
  const std::size_t headLength = detail::kMaxCacheFileName - 1 - kHashLength - extension.size();
  return name.substr(0, headLength) + "_" + hash + extension;
}

}  // namespace

std::string cacheFileName(std::string_view url) {
  const std::string_view source = nameSource(url);
  std::string name(source);
  for (char& c : name) {
    if (!isPortableNameChar(c)) c = '_';
  }
  if (name.empty() || name == "." || name == "..") name.insert(0, "_");
  for (std::string_view suffix : kSidecarSuffixes) {
    if (name.ends_with(suffix)) {
      name.push_back('_');
      break;
    }
  }
  if (name.size() > detail::kMaxCacheFileName) name = shorten(name, source);
  return name;
}

namespace detail {

CacheEntryPaths cacheEntryPaths(const std::filesystem::path& cacheDir, std::string_view url) {
  const std::string name = cacheFileName(url);
  return CacheEntryPaths{
      .file = cacheDir / name,
      .partial = cacheDir / (name + ".part"),
      .partialMeta = cacheDir / (name + ".part.meta"),
      .lock = cacheDir / (name + ".lock"),
  };
}

}  // namespace detail
}  // namespace etvision
