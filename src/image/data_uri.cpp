#include "image/data_uri.h"

#include <algorithm>

#include "etvision/error.h"
#include "fetch/uri.h"
#include "image/base64.h"
#include "image/source_text.h"

namespace etvision::detail {
namespace {

constexpr std::string_view kPrefix = "data:";

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

std::string_view trim(std::string_view text) {
  const auto isSpace = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  return text;
}

[[noreturn]] void fail(std::string_view uri, const std::string& problem) {
  throw Error(ErrorCode::InvalidUserInput, "invalid " + describeSourceText(uri) + ": " + problem);
}

bool isImageMediaType(std::string_view mediaType) {
  // An empty media type is accepted although RFC 2397 would read it as
  // text/plain: "data:;base64,..." is common shorthand for "some bytes".
  return mediaType.empty() || mediaType == "application/octet-stream" ||
         (mediaType.starts_with("image/") && mediaType.size() > 6);
}

}  // namespace

DataUriParts splitDataUri(std::string_view uri) {
  if (uri.size() < kPrefix.size() || lowercase(uri.substr(0, kPrefix.size())) != kPrefix) {
    fail(uri, "it does not start with 'data:'");
  }
  const std::size_t comma = uri.find(',');
  if (comma == std::string_view::npos) {
    fail(uri,
         "no ',' separates the header from the payload "
         "(expected data:image/<type>;base64,<payload>)");
  }
  if (uri.find(',', comma + 1) != std::string_view::npos) {
    fail(uri, "it contains more than one ','; a base64 payload has none");
  }

  DataUriParts parts;
  parts.payload = uri.substr(comma + 1);
  std::string_view header = uri.substr(kPrefix.size(), comma - kPrefix.size());

  // header = [type/subtype] *(;parameter) [;base64]
  const std::size_t firstSemicolon = header.find(';');
  parts.mediaType = lowercase(trim(header.substr(0, firstSemicolon)));
  if (firstSemicolon != std::string_view::npos) {
    const std::size_t lastSemicolon = header.rfind(';');
    parts.base64 = lowercase(trim(header.substr(lastSemicolon + 1))) == "base64";
  }
  return parts;
}

std::vector<std::uint8_t> decodeDataUri(std::string_view uri, std::size_t maxBytes) {
  const DataUriParts parts = splitDataUri(uri);
  if (!isImageMediaType(parts.mediaType)) {
    fail(uri, "its media type is '" + shortenForMessage(parts.mediaType, 60) +
                  "', not an image; use data:image/<type>;base64,<payload>");
  }
  if (!parts.base64) {
    fail(uri,
         "only base64 data URIs are supported; "
         "use data:image/<type>;base64,<payload>");
  }

  // Base64 needs no percent-encoding, but some tools escape it anyway.
  std::string unescaped;
  std::string_view payload = parts.payload;
  if (payload.find('%') != std::string_view::npos) {
    try {
      unescaped = percentDecode(payload);
    } catch (const Error&) {
      // percentDecode quotes its whole input, which may be megabytes here.
      fail(uri, "the payload has a malformed %-escape");
    }
    payload = unescaped;
  }
  if (payload.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos) {
    fail(uri, "the payload is empty");
  }
  // The bound minus its 2-byte slack never exceeds the real size: refusing
  // on it avoids decoding a huge payload only to throw it away.
  if (base64DecodedSizeBound(payload) - 2 > maxBytes) {
    throw Error(ErrorCode::InvalidUserInput,
                describeSourceText(uri) + " decodes to more than the limit of " +
                    std::to_string(maxBytes) +
                    " bytes; raise ImageReadLimits::maxEncodedBytes to accept it");
  }
  auto bytes = decodeBase64(payload);
  if (!bytes) fail(uri, "the payload is not valid base64");
  if (bytes->size() > maxBytes) {
    throw Error(ErrorCode::InvalidUserInput,
                describeSourceText(uri) + " holds " + std::to_string(bytes->size()) +
                    " bytes, more than the limit of " + std::to_string(maxBytes) +
                    " bytes; raise ImageReadLimits::maxEncodedBytes to accept it");
  }
  return std::move(*bytes);
}

}  // namespace etvision::detail
