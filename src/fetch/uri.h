// Recognising and taking apart the URIs that name models and images.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace etvision::detail {

/// The lowercase scheme when `text` starts with "<scheme>://" (RFC 3986
/// scheme characters) or with "data:"; nullopt for plain paths and raw
/// base64.
std::optional<std::string> uriScheme(std::string_view text);

/// True for http:// and https:// (case-insensitive scheme).
bool isHttpUrl(std::string_view text);

/// Decodes %XX escapes. Throws Error(InvalidUserInput) on a malformed escape
/// or an encoded NUL byte.
std::string percentDecode(std::string_view text);

/// file:///abs/path, file://localhost/abs/path -> /abs/path (percent-decoded).
/// Throws Error(InvalidUserInput) for a remote host or an empty path.
std::filesystem::path fileUriToPath(std::string_view uri);

/// `url` as shown in messages and logs: any "user:password@" in the
/// authority is replaced by "***@" so credentials never leak.
std::string urlForDisplay(std::string_view url);

}  // namespace etvision::detail
