// Telling apart the kinds of model source fetch.h accepts.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace etvision::detail {

struct ModelSource {
  enum class Kind {
    /// An http(s) URL, downloaded into the cache.
    Remote,
    /// A file used in place: a path, a file:// URI or a bundled model.
    Local,
  };
  Kind kind = Kind::Local;
  /// The URL, for Remote sources.
  std::string url;
  /// The existing regular file, for Local sources.
  std::filesystem::path path;
};

/// Classifies `source` and, for local ones, checks that the file exists and
/// is a regular file. Throws Error(InvalidModelSource) with a message that
/// says what was wrong and what is accepted.
ModelSource parseModelSource(std::string_view source);

}  // namespace etvision::detail
