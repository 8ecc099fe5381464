// Naming an image source in error messages without flooding them: a base64
// string or data URI can be megabytes long, and a path may hold control
// characters.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace etvision::detail {

/// `text` with non-printable bytes replaced by '?' and, when longer than
/// `maxChars`, cut in the middle ("head...tail (N chars)").
std::string shortenForMessage(std::string_view text, std::size_t maxChars = 160);

/// A short description of an ImageSource string: "data URI (N bytes)",
/// "base64 string (N bytes)" for long base64 text, otherwise the (shortened)
/// path or URL itself. Looks only at the text, never at the filesystem.
std::string describeSourceText(std::string_view text);

}  // namespace etvision::detail
