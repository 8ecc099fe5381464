// Where an image comes from.
//
// An ImageSource is built from
//   - an explicit source: ImageSource::fromPath, fromUrl, fromBase64,
//     fromBytes or fromPixels (nothing guessed);
//   - a string, interpreted in this order:
//       "data:image/...;base64,<payload>"  a base64 data URI;
//       "http://..." / "https://..."       fetched into memory (not cached);
//       "file://..."                       a local file (percent-decoded);
//       any other "scheme://..."           rejected (InvalidUserInput);
//       an existing file's path            read from disk;
//       well-formed base64                 decoded (raw base64, no prefix);
//       anything else                      FileReadFailed (no such file);
//   - encoded bytes in memory (PNG, JPEG, WebP, BMP, TIFF, ...);
//   - a raw pixel buffer (RGB, RGBA, BGR, BGRA or grey, any row stride).
//
// Encoded images are decoded with OpenCV; EXIF orientation is applied, alpha
// is dropped and grey is expanded to three channels. Failures throw
// etvision::Error with FileReadFailed (unreadable, missing, truncated, not an
// image, any HTTP failure including a download over the size limit) or
// InvalidUserInput (malformed URI/base64, unsupported scheme, bad pixel
// buffer, a local or base64 image larger than ImageReadLimits). Raw base64 is
// recognised only when it decodes to a known image format.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "etvision/export.h"

namespace etvision {

enum class PixelFormat { RGB, RGBA, BGR, BGRA, Gray };

/// A borrowed view of raw pixels. The memory must stay valid until the call
/// that consumes it (forward/classify) returns; it is never written.
struct PixelBuffer {
  const std::uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  /// Bytes from one row to the next; 0 means tightly packed.
  std::size_t strideBytes = 0;
  PixelFormat format = PixelFormat::RGB;
};

/// Bounds applied while reading an image, so hostile input cannot exhaust
/// memory or hang a call.
struct ImageReadLimits {
  /// Largest encoded image accepted (file, download or base64 payload).
  std::size_t maxEncodedBytes = std::size_t{256} << 20;
  /// Largest decoded image accepted, in pixels (width * height).
  std::uint64_t maxPixels = std::uint64_t{100} * 1000 * 1000;
  /// Whole-transfer timeout for http(s) image URLs.
  std::chrono::milliseconds httpTimeout{std::chrono::seconds(30)};
};

class ETVISION_API ImageSource {
 public:
  /// A URI, path or base64 string (see the header comment).
  ImageSource(std::string uriPathOrBase64);  // NOLINT: implicit by design
  ImageSource(const char* uriPathOrBase64);  // NOLINT: implicit by design

  // Explicit sources: for a caller who knows what it holds, nothing is
  // guessed (a file named "data:x" stays a file, a path is never decoded as
  // base64).

  /// A local file, read as is.
  static ImageSource fromPath(std::filesystem::path path);
  /// An http:// or https:// URL, fetched into memory (not cached); any other
  /// scheme is refused (InvalidUserInput) when the image is read.
  static ImageSource fromUrl(std::string url);
  /// Base64 text: a data URI ("data:image/png;base64,...") or raw base64.
  /// Text that is not base64 is InvalidUserInput when the image is read.
  static ImageSource fromBase64(std::string text);
  /// An encoded image (PNG, JPEG, ...) held in memory; the bytes are copied.
  static ImageSource fromBytes(std::vector<std::uint8_t> bytes);
  /// Same as fromBytes (its earlier name).
  static ImageSource fromEncoded(std::vector<std::uint8_t> bytes);
  /// Raw pixels, borrowed (see PixelBuffer).
  static ImageSource fromPixels(const PixelBuffer& pixels);

  struct Encoded {
    std::shared_ptr<const std::vector<std::uint8_t>> bytes;
  };
  struct Path {
    std::filesystem::path path;
  };
  struct Url {
    std::string url;
  };
  struct Base64 {
    std::string text;
  };
  /// std::string is the implicit, interpreted form (see the header comment).
  using Variant = std::variant<std::string, Encoded, PixelBuffer, Path, Url, Base64>;
  const Variant& value() const noexcept { return value_; }

  /// A short human-readable description for messages ("photo.jpg",
  /// "data URI (12345 bytes)", "pixel buffer 640x480").
  std::string describe() const;

 private:
  explicit ImageSource(Variant value);
  Variant value_;
};

}  // namespace etvision
