#include "image/image_bytes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

#include "etvision/error.h"
#include "fetch/http_client.h"
#include "fetch/unique_fd.h"
#include "fetch/uri.h"
#include "image/base64.h"
#include "image/data_uri.h"
#include "image/image_header.h"
#include "image/source_text.h"

namespace etvision::detail {
namespace {

namespace fs = std::filesystem;

// Below this length a string that happens to be valid base64 is more likely
// a mistyped path ("photos/cat"); it is described as a missing file.
constexpr std::size_t kLongBase64 = 256;

std::string quoted(const fs::path& path) {
  return "'" + shortenForMessage(path.native()) + "'";
}

std::string tooLarge(std::size_t maxBytes) {
  return "more than the limit of " + std::to_string(maxBytes) +
         " bytes; raise ImageReadLimits::maxEncodedBytes to accept it";
}

bool isMissing(const std::error_code& error) {
  return error == std::errc::no_such_file_or_directory || error == std::errc::not_a_directory ||
         error == std::errc::filename_too_long;
}

std::string errnoText(int error) {
  return std::generic_category().message(error);
}

std::vector<std::uint8_t> downloadImage(std::string_view url, const ImageReadLimits& limits) {
  HttpLimits http;
  http.totalTimeout = limits.httpTimeout;
  // A whole-transfer limit shorter than the default connect/stall timeouts
  // would otherwise be shadowed by them in messages.
  http.connectTimeout = std::min(http.connectTimeout, limits.httpTimeout);
  http.stallTimeout = std::min(http.stallTimeout, limits.httpTimeout);
  http.maxBytes = limits.maxEncodedBytes;
  auto bytes = httpGetToMemory(std::string(url), http, ErrorCode::FileReadFailed);
  if (bytes.empty()) {
    throw Error(ErrorCode::FileReadFailed,
                "image URL " + shortenForMessage(url) +
                    " returned an empty body; check that it points at an image");
  }
  return bytes;
}

// Where raw base64 text came from: guessed from an ImageSource string that
// names no file, or given explicitly (ImageSource::fromBase64).
enum class Base64Origin { Guessed, Explicit };

// Raw base64 text decoded into an image's bytes. A guessed interpretation
// returns nothing when the text does not hold an image, so the caller reports
// the more likely mistake, a wrong path; an explicit one throws instead.
std::optional<std::vector<std::uint8_t>> decodeRawBase64(std::string_view text,
                                                         const ImageReadLimits& limits,
                                                         Base64Origin origin) {
  const bool guessed = origin == Base64Origin::Guessed;
  if (!looksLikeBase64(text)) {
    if (guessed) return std::nullopt;
    throw Error(
        ErrorCode::InvalidUserInput,
        describeSourceText(text) + " is not base64 text; pass a data URI or raw base64 (RFC 4648)");
  }
  if (base64DecodedSizeBound(text) - 2 > limits.maxEncodedBytes) {
    throw Error(ErrorCode::InvalidUserInput,
                describeSourceText(text) + " decodes to " + tooLarge(limits.maxEncodedBytes));
  }
  auto bytes = decodeBase64(text);
  if (!bytes || bytes->empty()) {
    if (guessed) return std::nullopt;
    throw Error(ErrorCode::InvalidUserInput,
                describeSourceText(text) + " is not valid base64; check its padding");
  }
  if (sniffImageFormat(*bytes) == ImageFormat::Unknown) {
    if (guessed && text.size() < kLongBase64) return std::nullopt;
    throw Error(ErrorCode::FileReadFailed,
                "could not decode " + describeSourceText(text) +
                    " as an image: it is valid base64, but the " + std::to_string(bytes->size()) +
                    " decoded bytes are not in any supported image format "
                    "(PNG, JPEG, WebP, BMP, TIFF, ...)");
  }
  if (bytes->size() > limits.maxEncodedBytes) {
    throw Error(ErrorCode::InvalidUserInput, describeSourceText(text) + " decodes to " +
                                                 std::to_string(bytes->size()) + " bytes, " +
                                                 tooLarge(limits.maxEncodedBytes));
  }
  return bytes;
}

}  // namespace

std::vector<std::uint8_t> readImageFile(const fs::path& path, std::size_t maxBytes) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) {
    if (error && !isMissing(error)) {
      throw Error(ErrorCode::FileReadFailed,
                  "cannot access image file " + quoted(path) + ": " + error.message());
    }
    throw Error(ErrorCode::FileReadFailed,
                "image file " + quoted(path) + " does not exist (no such file); check the path");
  }
  if (fs::is_directory(status)) {
    throw Error(ErrorCode::FileReadFailed,
                quoted(path) + " is a directory, not an image file; pass the path of a file in it");
  }
  // FIFOs, sockets and devices could block forever or never end.
  if (!fs::is_regular_file(status)) {
    throw Error(ErrorCode::FileReadFailed,
                quoted(path) + " is not a regular file; pass the path of an image file");
  }

  const UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) {
    throw Error(ErrorCode::FileReadFailed,
                "cannot open image file " + quoted(path) + ": " + errnoText(errno));
  }
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) {
    throw Error(ErrorCode::FileReadFailed,
                "cannot read image file " + quoted(path) + ": " + errnoText(errno));
  }
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size == 0) {
    throw Error(ErrorCode::FileReadFailed,
                "image file " + quoted(path) + " is empty (0 bytes); pass a complete image");
  }
  if (size > maxBytes) {
    throw Error(ErrorCode::InvalidUserInput, "image file " + quoted(path) + " is " +
                                                 std::to_string(size) + " bytes, " +
                                                 tooLarge(maxBytes));
  }

  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::read(file.get(), bytes.data() + done, bytes.size() - done);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorCode::FileReadFailed,
                  "cannot read image file " + quoted(path) + ": " + errnoText(errno));
    }
    if (got == 0) break;  // the file shrank while being read
    done += static_cast<std::size_t>(got);
  }
  bytes.resize(done);
  if (bytes.empty()) {
    throw Error(ErrorCode::FileReadFailed,
                "image file " + quoted(path) + " is empty (0 bytes); pass a complete image");
  }
  return bytes;
}

std::vector<std::uint8_t> readImageBytes(std::string_view text, const ImageReadLimits& limits) {
  if (text.empty()) {
    throw Error(ErrorCode::InvalidUserInput,
                "the image source is an empty string; pass a path, an http(s):// or "
                "file:// URI, a data URI or base64");
  }
  // The C library would silently stop at the NUL and open another file.
  if (text.find('\0') != std::string_view::npos) {
    throw Error(ErrorCode::InvalidUserInput,
                "the image source " + describeSourceText(text) +
                    " contains a NUL byte; pass a path, URI or base64 text");
  }

  if (const auto scheme = uriScheme(text)) {
    if (*scheme == "data") return decodeDataUri(text, limits.maxEncodedBytes);
    if (*scheme == "http" || *scheme == "https") return downloadImage(text, limits);
    if (*scheme == "file") return readImageFile(fileUriToPath(text), limits.maxEncodedBytes);
    throw Error(ErrorCode::InvalidUserInput,
                "unsupported URI scheme '" + shortenForMessage(*scheme, 40) + "' in " +
                    describeSourceText(text) +
                    "; use http(s)://, file://, a path, a data URI or base64");
  }

  // A path, or raw base64. An existing file wins: base64's alphabet includes
  // '/', so "photos/cat" is both a plausible path and valid base64.
  // A failure other than "not there" (say, permission denied) is reported
  // as such rather than as "no such file".
  std::error_code error;
  const fs::path path(text);
  const fs::file_status status = fs::status(path, error);
  if (fs::exists(status) || (error && !isMissing(error))) {
    return readImageFile(path, limits.maxEncodedBytes);
  }
  if (auto bytes = decodeRawBase64(text, limits, Base64Origin::Guessed)) return std::move(*bytes);
  throw Error(ErrorCode::FileReadFailed,
              "image file '" + shortenForMessage(text) + "' does not exist (no such file" +
                  (looksLikeBase64(text) ? "; read as base64 it is no image either" : "") +
                  "); check the path");
}

std::vector<std::uint8_t> readImageUrl(std::string_view url, const ImageReadLimits& limits) {
  const auto scheme = uriScheme(url);
  if (!scheme || (*scheme != "http" && *scheme != "https")) {
    throw Error(ErrorCode::InvalidUserInput,
                "ImageSource::fromUrl needs an http:// or https:// URL, not " +
                    describeSourceText(url) + "; use fromPath for a local file");
  }
  return downloadImage(url, limits);
}

std::vector<std::uint8_t> readImageBase64(std::string_view text, const ImageReadLimits& limits) {
  if (const auto scheme = uriScheme(text); scheme && *scheme == "data") {
    return decodeDataUri(text, limits.maxEncodedBytes);
  }
  return std::move(*decodeRawBase64(text, limits, Base64Origin::Explicit));
}

}  // namespace etvision::detail
