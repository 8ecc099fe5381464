#include "fetch/uri.h"

#include <string>

#include "etvision/error.h"

namespace etvision::detail {
namespace {

bool isAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}

char asciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string asciiLower(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) c = asciiLower(c);
  return lowered;
}

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (asciiLower(text[i]) != asciiLower(prefix[i])) return false;
  }
  return true;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> uriScheme(std::string_view text) {
  // "data:" has no "//", and a data URI is the only such form we accept;
  // other "scheme:" prefixes without "//" could be Windows drive letters or
  // odd file names, so they are left to be treated as paths.
  if (startsWithIgnoringCase(text, "data:")) return std::string("data");

  // RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  if (text.empty() || !isAsciiAlpha(text.front())) return std::nullopt;
  std::size_t end = 1;
  while (end < text.size() && (isAsciiAlpha(text[end]) || isAsciiDigit(text[end]) ||
                               text[end] == '+' || text[end] == '-' || text[end] == '.')) {
    ++end;
  }
  if (text.substr(end, 3) != "://") return std::nullopt;
  return asciiLower(text.substr(0, end));
}

bool isHttpUrl(std::string_view text) {
  const auto scheme = uriScheme(text);
  return scheme && (*scheme == "http" || *scheme == "https");
}

std::string percentDecode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded.push_back(text[i]);
      continue;
    }
    const int high = i + 1 < text.size() ? hexValue(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hexValue(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      throw Error(ErrorCode::InvalidUserInput,
                  "Malformed percent escape at position " + std::to_string(i) + " in \"" +
                      std::string(text) +
                      "\": '%' must be followed by two hex digits (write a "
                      "literal '%' as %25).");
    }
    const int byte = high * 16 + low;
    if (byte == 0) {
      // A NUL would silently cut the path short at the OS boundary.
      throw Error(ErrorCode::InvalidUserInput,
                  "\"" + std::string(text) +
                      "\" contains an encoded NUL byte (%00), which no file "
                      "name can hold.");
    }
    decoded.push_back(static_cast<char>(byte));
    i += 2;
  }
  return decoded;
}

std::filesystem::path fileUriToPath(std::string_view uri) {
  constexpr std::string_view kPrefix = "file://";
  if (!startsWithIgnoringCase(uri, kPrefix)) {
    throw Error(ErrorCode::InvalidUserInput,
                "\"" + std::string(uri) + "\" is not a file:// URI; write file:///absolute/path.");
  }
  std::string_view rest = uri.substr(kPrefix.size());

  // RFC 8089: query and fragment are not part of the path. A '#' or '?' that
  // belongs to a file name must be written %23 or %3F.
  rest = rest.substr(0, rest.find_first_of("?#"));

  const std::size_t pathStart = rest.find('/');
  const std::string_view host =
      rest.substr(0, pathStart == std::string_view::npos ? rest.size() : pathStart);
  if (!host.empty() && asciiLower(host) != "localhost") {
    throw Error(ErrorCode::InvalidUserInput,
                "\"" + std::string(uri) + "\" names the remote host \"" + std::string(host) +
                    "\"; only local files can be read (file:///path or "
                    "file://localhost/path). Use an http(s) URL for remote "
                    "files.");
  }
  if (pathStart == std::string_view::npos || rest.substr(pathStart) == "/") {
    throw Error(ErrorCode::InvalidUserInput,
                "\"" + std::string(uri) + "\" has no file path; write file:///absolute/path.");
  }
  return std::filesystem::path(percentDecode(rest.substr(pathStart)));
}

std::string urlForDisplay(std::string_view url) {
  const std::size_t schemeEnd = url.find("://");
  if (schemeEnd == std::string_view::npos) return std::string(url);
  const std::size_t authorityStart = schemeEnd + 3;
  const std::size_t authorityEnd = url.find_first_of("/?#", authorityStart);
  const std::string_view authority = url.substr(
      authorityStart, authorityEnd == std::string_view::npos ? std::string_view::npos
                                                             : authorityEnd - authorityStart);
  const std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, authorityStart)) + "***@" +
         std::string(url.substr(authorityStart + at + 1));
}

}  // namespace etvision::detail
