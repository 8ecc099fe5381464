// RFC 2397 data URIs carrying an image: data:image/png;base64,<payload>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace etvision::detail {

struct DataUriParts {
  /// Lowercase "type/subtype" without parameters; empty when omitted.
  std::string mediaType;
  bool base64 = false;
  /// Everything after the comma, as written (not yet decoded).
  std::string_view payload;
};

/// Splits a data URI into its parts (no media type policy, no decoding).
/// Throws Error(InvalidUserInput) unless `uri` is "data:<header>,<payload>"
/// with exactly one comma.
DataUriParts splitDataUri(std::string_view uri);

/// The image bytes a data URI carries. Throws Error(InvalidUserInput) when
/// the URI is malformed, is not base64, declares a media type other than
/// image/* or application/octet-stream, has an empty or invalid payload, or
/// would decode to more than `maxBytes`.
std::vector<std::uint8_t> decodeDataUri(std::string_view uri, std::size_t maxBytes);

}  // namespace etvision::detail
