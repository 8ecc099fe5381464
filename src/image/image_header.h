// What an encoded image says about itself before it is decoded: its format
// (from the leading signature), its declared size (from the header) and
// whether a JPEG stops short.
//
// Decoders allocate the full canvas a header declares, so a 100-byte file
// can ask for gigabytes; reading the size first lets ImageReadLimits refuse
// it cheaply. Every function here is bounds-checked on arbitrary bytes and
// answers "unknown" rather than guessing when the data is short or odd.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace etvision::detail {

enum class ImageFormat {
  Unknown,
  Png,
  Jpeg,
  Gif,
  Bmp,
  WebP,
  Tiff,
  Jpeg2000,
  Pnm,  // PBM, PGM, PPM, PAM
  Pfm,
  SunRaster,
  OpenExr,
  Radiance,
};

/// "PNG", "JPEG", ...; "unknown" for ImageFormat::Unknown.
const char* imageFormatName(ImageFormat format) noexcept;

/// The format whose signature `bytes` start with; Unknown when none of the
/// formats OpenCV can read matches.
ImageFormat sniffImageFormat(std::span<const std::uint8_t> bytes) noexcept;

struct ImageDimensions {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};

/// The size the header declares, for PNG, JPEG (first SOFn frame), GIF
/// (logical screen), BMP, WebP (VP8, VP8L, VP8X), TIFF (first IFD), PNM/PFM
/// and Sun raster; nullopt for other formats, truncated headers and zero
/// sizes. JPEG and TIFF sizes are before EXIF orientation, which does not
/// change the pixel count.
std::optional<ImageDimensions> sniffImageDimensions(std::span<const std::uint8_t> bytes) noexcept;

/// True when `bytes` are a JPEG whose data runs out before the end-of-image
/// marker. libjpeg only warns about such files and fills the missing part
/// with grey, which would silently classify half a picture.
bool isTruncatedJpeg(std::span<const std::uint8_t> bytes) noexcept;

/// The EXIF orientation (1-8) a JPEG declares before its image data: 1 when
/// it has no EXIF block or no orientation tag, nullopt when the markers or
/// the EXIF block are malformed or there are two EXIF blocks (a decoder's
/// reading of those is its own).
std::optional<int> jpegExifOrientation(std::span<const std::uint8_t> bytes) noexcept;

}  // namespace etvision::detail
