#include "image/image_header.h"

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace etvision::detail {
namespace {

using Bytes = std::span<const std::uint8_t>;

bool startsWith(Bytes bytes, std::string_view signature) noexcept {
  return bytes.size() >= signature.size() &&
         std::memcmp(bytes.data(), signature.data(), signature.size()) == 0;
}

bool matchesAt(Bytes bytes, std::size_t offset, std::string_view text) noexcept {
  return bytes.size() >= offset + text.size() &&
         std::memcmp(bytes.data() + offset, text.data(), text.size()) == 0;
}

std::uint32_t be16(Bytes b, std::size_t at) noexcept {
  return (std::uint32_t{b[at]} << 8) | b[at + 1];
}
std::uint32_t be32(Bytes b, std::size_t at) noexcept {
  return (be16(b, at) << 16) | be16(b, at + 2);
}
std::uint32_t le16(Bytes b, std::size_t at) noexcept {
  return std::uint32_t{b[at]} | (std::uint32_t{b[at + 1]} << 8);
}
std::uint32_t le24(Bytes b, std::size_t at) noexcept {
  return le16(b, at) | (std::uint32_t{b[at + 2]} << 16);
}
std::uint32_t le32(Bytes b, std::size_t at) noexcept {
  return le16(b, at) | (le16(b, at + 2) << 16);
}

std::optional<ImageDimensions> nonZero(std::uint32_t width, std::uint32_t height) noexcept {
  if (width == 0 || height == 0) return std::nullopt;
  return ImageDimensions{width, height};
}

constexpr std::string_view kPngSignature{"\x89PNG\r\n\x1a\n", 8};
constexpr std::string_view kJpegSignature{"\xFF\xD8\xFF", 3};

// --- JPEG markers -----------------------------------------------------------

constexpr std::uint8_t kMarkerEoi = 0xD9;
constexpr std::uint8_t kMarkerSos = 0xDA;

// Markers without a length field: TEM and the restart markers RST0-7.
bool isStandalone(std::uint8_t marker) noexcept {
  return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7);
}

// Start-of-frame markers (SOF0-15 minus DHT, JPG and DAC), which carry the
// frame size.
bool isStartOfFrame(std::uint8_t marker) noexcept {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// Reads the marker at `pos` (after any 0xFF fill bytes). Returns its code and
// leaves `pos` just past it; nullopt when the data ends, or 0x00 when `pos`
// does not hold a marker at all.
std::optional<std::uint8_t> readMarker(Bytes b, std::size_t& pos) noexcept {
  if (pos >= b.size()) return std::nullopt;
  if (b[pos] != 0xFF) return std::uint8_t{0};
  while (pos < b.size() && b[pos] == 0xFF) ++pos;
  if (pos >= b.size()) return std::nullopt;
  return b[pos++];
}

std::optional<ImageDimensions> jpegDimensions(Bytes b) noexcept {
  std::size_t pos = 2;
  while (true) {
    const auto marker = readMarker(b, pos);
    if (!marker || *marker == 0x00) return std::nullopt;
    if (isStandalone(*marker)) continue;
    // Entropy-coded data or the end before any frame header: no size.
    if (*marker == kMarkerEoi || *marker == kMarkerSos) return std::nullopt;
    if (pos + 2 > b.size()) return std::nullopt;
    const std::size_t length = be16(b, pos);  // includes its own two bytes
    if (length < 2) return std::nullopt;
    if (isStartOfFrame(*marker)) {
      // length(2) precision(1) height(2) width(2)
      if (length < 7 || pos + 7 > b.size()) return std::nullopt;
      // A zero height is defined later by a DNL marker; leave it to libjpeg.
      return nonZero(be16(b, pos + 5), be16(b, pos + 3));
    }
    pos += length;
  }
}

// The orientation tag (0x0112) in a TIFF structure (EXIF's container) of
// `tiff`: 1 when the first IFD has none, nullopt when it is malformed.
std::optional<int> tiffOrientation(Bytes tiff) noexcept {
  if (tiff.size() < 8) return std::nullopt;
  const bool little = matchesAt(tiff, 0, "II*\0");
  if (!little && !matchesAt(tiff, 0, "MM\0*")) return std::nullopt;
  const auto u16 = [&](std::size_t at) { return little ? le16(tiff, at) : be16(tiff, at); };
  const auto u32 = [&](std::size_t at) { return little ? le32(tiff, at) : be32(tiff, at); };
  const std::size_t ifd = u32(4);
  if (ifd > tiff.size() || tiff.size() - ifd < 2) return std::nullopt;
  const std::size_t entries = u16(ifd);
  if ((tiff.size() - ifd - 2) / 12 < entries) return std::nullopt;
  for (std::size_t i = 0; i < entries; ++i) {
    const std::size_t entry = ifd + 2 + 12 * i;
    if (u16(entry) != 0x0112) continue;
    // type SHORT, count 1: the value sits in the first two value bytes.
    if (u16(entry + 2) != 3 || u32(entry + 4) != 1) return std::nullopt;
    return static_cast<int>(u16(entry + 8));
  }
  return 1;
}

// --- the other formats ------------------------------------------------------

std::optional<ImageDimensions> pngDimensions(Bytes b) noexcept {
  // signature(8) length(4) "IHDR"(4) width(4) height(4)
  if (b.size() < 24 || !matchesAt(b, 12, "IHDR")) return std::nullopt;
  return nonZero(be32(b, 16), be32(b, 20));
}

std::optional<ImageDimensions> gifDimensions(Bytes b) noexcept {
  if (b.size() < 10) return std::nullopt;
  return nonZero(le16(b, 6), le16(b, 8));
}

std::optional<ImageDimensions> bmpDimensions(Bytes b) noexcept {
  // file header(14) then the DIB header, whose first field is its size.
  if (b.size() < 26) return std::nullopt;
  const std::uint32_t dibSize = le32(b, 14);
  if (dibSize == 12) {  // BITMAPCOREHEADER: 16-bit unsigned sizes
    return nonZero(le16(b, 18), le16(b, 20));
  }
  if (dibSize < 16) return std::nullopt;
  // 32-bit signed sizes; a negative height means rows stored top-down.
  const auto width = static_cast<std::int32_t>(le32(b, 18));
  const auto height = static_cast<std::int64_t>(static_cast<std::int32_t>(le32(b, 22)));
  if (width <= 0) return std::nullopt;
  return nonZero(static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(std::llabs(height)));
}

std::optional<ImageDimensions> webpDimensions(Bytes b) noexcept {
  // "RIFF" size(4) "WEBP" then the first chunk: fourcc(4) size(4) data.
  if (matchesAt(b, 12, "VP8 ")) {
    if (b.size() < 30) return std::nullopt;
    // frame tag(3) start code 9D 01 2A, then 14-bit width and height.
    if (b[23] != 0x9D || b[24] != 0x01 || b[25] != 0x2A) return std::nullopt;
    return nonZero(le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF);
  }
  if (matchesAt(b, 12, "VP8L")) {
    // signature 0x2F, then width-1 and height-1 as two 14-bit fields.
    if (b.size() < 25) return std::nullopt;
    if (b[20] != 0x2F) return std::nullopt;
    const std::uint32_t bits = le32(b, 21);
    return nonZero((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (matchesAt(b, 12, "VP8X")) {
    // flags(4), then canvas width-1 and height-1 as 24-bit fields.
    if (b.size() < 30) return std::nullopt;
    return nonZero(le24(b, 24) + 1, le24(b, 27) + 1);
  }
  return std::nullopt;
}

std::optional<ImageDimensions> tiffDimensions(Bytes b) noexcept {
  // Byte order "II" or "MM", 42, then the offset of the first IFD: a count
  // and 12-byte entries of tag(2) type(2) count(4) value(4).
  const bool little = b[0] == 'I';
  const auto u16 = [&](std::size_t at) { return little ? le16(b, at) : be16(b, at); };
  const auto u32 = [&](std::size_t at) { return little ? le32(b, at) : be32(b, at); };
  if (b.size() < 8) return std::nullopt;
  const std::size_t ifd = u32(4);
  if (ifd > b.size() || b.size() - ifd < 2) return std::nullopt;
  const std::size_t entries = u16(ifd);
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  for (std::size_t i = 0; i < entries; ++i) {
    const std::size_t entry = ifd + 2 + 12 * i;
    if (entry + 12 > b.size()) return std::nullopt;
    const std::uint32_t tag = u16(entry);
    const std::uint32_t type = u16(entry + 2);
    if (tag != 256 && tag != 257) continue;  // ImageWidth, ImageLength
    std::uint32_t value = 0;
    if (type == 3) {  // SHORT, left-aligned in the value field
      value = u16(entry + 8);
    } else if (type == 4) {  // LONG
      value = u32(entry + 8);
    } else {
      return std::nullopt;
    }
    (tag == 256 ? width : height) = value;
  }
  return nonZero(width, height);
}

// Netpbm and PFM: "P6 <width> <height> ..." in ASCII, with '#' comments.
std::optional<ImageDimensions> pnmDimensions(Bytes b) noexcept {
  if (b[1] == '7') return std::nullopt;  // PAM: keyword header, left to OpenCV
  std::size_t pos = 2;
  std::uint32_t values[2] = {};
  for (std::uint32_t& value : values) {
    while (pos < b.size()) {
      if (b[pos] == '#') {
        while (pos < b.size() && b[pos] != '\n' && b[pos] != '\r') ++pos;
      } else if (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\n' || b[pos] == '\r') {
        ++pos;
      } else {
        break;
      }
    }
    std::uint64_t number = 0;
    std::size_t digits = 0;
    for (; pos < b.size() && b[pos] >= '0' && b[pos] <= '9'; ++pos, ++digits) {
      number = number * 10 + static_cast<std::uint64_t>(b[pos] - '0');
      if (number > 0xFFFFFFFFu) return std::nullopt;
    }
    // The number must be complete: followed by whitespace, not the data's end.
    if (digits == 0 || pos >= b.size()) return std::nullopt;
    value = static_cast<std::uint32_t>(number);
  }
  return nonZero(values[0], values[1]);
}

std::optional<ImageDimensions> sunRasterDimensions(Bytes b) noexcept {
  // magic(4) width(4) height(4), big-endian.
  if (b.size() < 12) return std::nullopt;
  return nonZero(be32(b, 4), be32(b, 8));
}

}  // namespace

const char* imageFormatName(ImageFormat format) noexcept {
  switch (format) {
    case ImageFormat::Unknown: return "unknown";
    case ImageFormat::Png: return "PNG";
    case ImageFormat::Jpeg: return "JPEG";
    case ImageFormat::Gif: return "GIF";
    case ImageFormat::Bmp: return "BMP";
    case ImageFormat::WebP: return "WebP";
    case ImageFormat::Tiff: return "TIFF";
    case ImageFormat::Jpeg2000: return "JPEG 2000";
    case ImageFormat::Pnm: return "PNM";
    case ImageFormat::Pfm: return "PFM";
    case ImageFormat::SunRaster: return "Sun raster";
    case ImageFormat::OpenExr: return "OpenEXR";
    case ImageFormat::Radiance: return "Radiance HDR";
  }
  return "unknown";
}

ImageFormat sniffImageFormat(Bytes b) noexcept {
  if (startsWith(b, kPngSignature)) return ImageFormat::Png;
  if (startsWith(b, kJpegSignature)) return ImageFormat::Jpeg;
  if (startsWith(b, "GIF87a") || startsWith(b, "GIF89a")) return ImageFormat::Gif;
  if (startsWith(b, "BM") && b.size() >= 14) return ImageFormat::Bmp;
  if (startsWith(b, "RIFF") && matchesAt(b, 8, "WEBP")) return ImageFormat::WebP;
  if (startsWith(b, std::string_view{"II*\0", 4}) || startsWith(b, std::string_view{"MM\0*", 4})) {
    return ImageFormat::Tiff;
  }
  if (startsWith(b, std::string_view{"\0\0\0\x0CjP  \r\n\x87\n", 12}) ||
      startsWith(b, std::string_view{"\xFF\x4F\xFF\x51", 4})) {
    return ImageFormat::Jpeg2000;
  }
  if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7' &&
      (b[2] == ' ' || b[2] == '\t' || b[2] == '\n' || b[2] == '\r')) {
    return ImageFormat::Pnm;
  }
  if ((startsWith(b, "PF") || startsWith(b, "Pf")) && b.size() >= 3 &&
      (b[2] == '\n' || b[2] == '\r' || b[2] == ' ')) {
    return ImageFormat::Pfm;
  }
  if (startsWith(b, "\x59\xA6\x6A\x95")) return ImageFormat::SunRaster;
  if (startsWith(b, "\x76\x2F\x31\x01")) return ImageFormat::OpenExr;
  if (startsWith(b, "#?RADIANCE") || startsWith(b, "#?RGBE")) {
    return ImageFormat::Radiance;
  }
  return ImageFormat::Unknown;
}

std::optional<ImageDimensions> sniffImageDimensions(Bytes b) noexcept {
  switch (sniffImageFormat(b)) {
    case ImageFormat::Png: return pngDimensions(b);
    case ImageFormat::Jpeg: return jpegDimensions(b);
    case ImageFormat::Gif: return gifDimensions(b);
    case ImageFormat::Bmp: return bmpDimensions(b);
    case ImageFormat::WebP: return webpDimensions(b);
    case ImageFormat::Tiff: return tiffDimensions(b);
    case ImageFormat::Pnm:
    case ImageFormat::Pfm: return pnmDimensions(b);
    case ImageFormat::SunRaster: return sunRasterDimensions(b);
    default: return std::nullopt;
  }
}

bool isTruncatedJpeg(Bytes b) noexcept {
  // Only SOI is required: a file cut right after it is a truncated JPEG too.
  if (!startsWith(b, kJpegSignature.substr(0, 2))) return false;
  std::size_t pos = 2;
  while (true) {
    const auto marker = readMarker(b, pos);
    if (!marker) return true;
    // Not a marker where one belongs: corrupt rather than short; the
    // decoder judges that.
    if (*marker == 0x00) return false;
    if (*marker == kMarkerEoi) return false;
    if (isStandalone(*marker)) continue;
    if (pos + 2 > b.size()) return true;
    const std::size_t length = be16(b, pos);
    if (length < 2) return false;
    if (pos + length > b.size()) return true;
    pos += length;
    if (*marker != kMarkerSos) continue;

    // Entropy-coded data runs to the next 0xFF that is not a stuffed zero
    // (FF 00) or a restart marker (FF D0-D7).
    while (true) {
      const void* ff = std::memchr(b.data() + pos, 0xFF, b.size() - pos);
      if (ff == nullptr) return true;
      pos = static_cast<std::size_t>(static_cast<const std::uint8_t*>(ff) - b.data());
      std::size_t next = pos + 1;
      while (next < b.size() && b[next] == 0xFF) ++next;
      if (next >= b.size()) return true;
      if (b[next] == 0x00 || (b[next] >= 0xD0 && b[next] <= 0xD7)) {
        pos = next + 1;
        continue;
      }
      pos = next - 1;  // the 0xFF right before the marker code
      break;
    }
  }
}

std::optional<int> jpegExifOrientation(Bytes b) noexcept {
  if (!startsWith(b, kJpegSignature.substr(0, 2))) return std::nullopt;
  std::optional<int> orientation = 1;
  bool sawExif = false;
  std::size_t pos = 2;
  while (true) {
    const auto marker = readMarker(b, pos);
    if (!marker || *marker == 0x00) return std::nullopt;
    if (isStandalone(*marker)) continue;
    if (*marker == kMarkerSos) return orientation;
    if (*marker == kMarkerEoi || pos + 2 > b.size()) return std::nullopt;
    const std::size_t length = be16(b, pos);
    if (length < 2 || b.size() - pos < length) return std::nullopt;
    if (*marker == 0xE1 &&
        matchesAt(b.first(pos + length), pos + 2, std::string_view("Exif\0\0", 6))) {
      // Two EXIF blocks: which one a decoder honours is its choice.
      if (sawExif) return std::nullopt;
      sawExif = true;
      orientation = tiffOrientation(b.subspan(pos + 8, length - 8));
    }
    pos += length;
  }
}

}  // namespace etvision::detail
