#include "image/decode.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "etvision/error.h"
#include "fetch/unique_fd.h"
#include "image/image_header.h"
#include "image/jpeg_fast.h"
#include "image/png_chunks.h"
#include "image/png_fast.h"

namespace etvision::detail {
namespace {

std::string pixelLimitMessage(std::string_view source, std::uint64_t width, std::uint64_t height,
                              ImageFormat format, const ImageReadLimits& limits) {
  const std::string kind =
      format == ImageFormat::Unknown ? std::string() : std::string(imageFormatName(format)) + " ";
  return std::string(source) + " is a " + std::to_string(width) + "x" + std::to_string(height) +
         " " + kind + "image (" + std::to_string(width * height) +
         " pixels), more than the limit of " + std::to_string(limits.maxPixels) +
         " pixels; shrink it or raise ImageReadLimits::maxPixels";
}

// Why the bytes might not have decoded, for the error message: the most
// common cause is an HTML error page or a text file where an image belongs.
std::string describeContent(std::span<const std::uint8_t> bytes) {
  const ImageFormat format = sniffImageFormat(bytes);
  if (format == ImageFormat::Gif) {
    return "GIF is not supported by the OpenCV build in use; convert it to PNG";
  }
  if (format != ImageFormat::Unknown) {
    return std::string("it starts like a ") + imageFormatName(format) +
           " file but is corrupt or incomplete";
  }
  const std::size_t shown = std::min<std::size_t>(bytes.size(), 24);
  bool text = true;
  for (std::size_t i = 0; i < shown; ++i) {
    const std::uint8_t c = bytes[i];
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') text = false;
    if (c >= 0x7F) text = false;
  }
  if (text) {
    std::string start;
    for (std::size_t i = 0; i < shown; ++i) {
      start += (bytes[i] < 0x20) ? ' ' : static_cast<char>(bytes[i]);
    }
    return "the data is text starting with \"" + start +
           "\" (an HTML page or error message?), not an image";
  }
  std::string hex;
  for (std::size_t i = 0; i < std::min<std::size_t>(shown, 8); ++i) {
    char digits[4];
    std::snprintf(digits, sizeof digits, "%02X ", bytes[i]);
    hex += digits;
  }
  if (!hex.empty()) hex.pop_back();
  return "its first bytes (" + hex + ") match no supported format";
}

[[noreturn]] void failDecode(std::string_view source, const std::string& why) {
  throw Error(ErrorCode::FileReadFailed, "could not decode " + std::string(source) +
                                             " as an image (" + why +
                                             "); pass a PNG, JPEG, WebP, BMP or TIFF image");
}

// The IMREAD_REDUCED_* scale for `declared` decoded toward `target`: 1 (a
// full decode) unless the image is at least twice the target's larger side
// in both dimensions.
int reducedDecodeScale(const ImageDimensions& declared, const cv::Size& target) {
  const std::uint64_t needed = static_cast<std::uint64_t>(std::max(target.width, target.height));
  if (needed == 0) return 1;
  for (const int scale : {8, 4, 2}) {
    if (declared.width / static_cast<std::uint32_t>(scale) >= needed &&
        declared.height / static_cast<std::uint32_t>(scale) >= needed) {
      return scale;
    }
  }
  return 1;
}

int reducedReadFlag(int scale) {
  switch (scale) {
    case 2: return cv::IMREAD_REDUCED_COLOR_2;
    case 4: return cv::IMREAD_REDUCED_COLOR_4;
    case 8: return cv::IMREAD_REDUCED_COLOR_8;
    default: return cv::IMREAD_COLOR;
  }
}

// The full image's size from a decode at 1/scale: libjpeg rounds each side
// up, and EXIF orientation may have swapped the sides after scaling.
cv::Size fullSizeOf(const cv::Mat& reduced, const ImageDimensions& declared, int scale) {
  const auto scaled = [scale](std::uint32_t side) {
    return static_cast<int>((side + static_cast<std::uint32_t>(scale) - 1) /
                            static_cast<std::uint32_t>(scale));
  };
  const int width = static_cast<int>(declared.width);
  const int height = static_cast<int>(declared.height);
  if (reduced.cols == scaled(declared.height) && reduced.rows == scaled(declared.width) &&
      reduced.cols != reduced.rows) {
    return {height, width};  // rotated by a quarter turn
  }
  return {width, height};
}

// The order to return pixels in: the caller's, unless it reads either, then
// the one the decoder produces without a conversion pass.
ChannelOrder outputOrder(const DecodeOptions& options, ChannelOrder decoderNative) {
  return options.acceptEitherOrder ? decoderNative : options.order;
}

// OpenCV's decoders for these formats read only from a file, so
// cv::imdecode writes the bytes to /tmp/__opencv_temp.* (readable by other
// users) and, when the header declares a size OpenCV then refuses (a zero
// side, beyond its limits), throws before deleting it: a service fed bad
// uploads would fill /tmp with copies of them. They get an anonymous
// in-memory file instead, which nothing can leave behind.
bool decodesOnlyFromFile(ImageFormat format) {
  return format == ImageFormat::Pfm || format == ImageFormat::Radiance ||
         format == ImageFormat::SunRaster || format == ImageFormat::OpenExr;
}

// An anonymous in-memory file and the path that opens it.
struct MemoryFile {
  UniqueFd fd;
  std::string path;
};

// `bytes` in a memfd, or nullopt when the kernel has no memfd or /proc is not
// mounted (the caller then falls back to cv::imdecode).
std::optional<MemoryFile> memoryFileWith(std::span<const std::uint8_t> bytes) {
  UniqueFd fd(memfd_create("etvision-image", MFD_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string path = "/proc/self/fd/" + std::to_string(fd.get());
  if (access(path.c_str(), R_OK) != 0) return std::nullopt;
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    written += static_cast<std::size_t>(n);
  }
  return MemoryFile{std::move(fd), std::move(path)};
}

// cv::imdecode, except that formats it would spill to a temporary file are
// read from memory (see decodesOnlyFromFile). Throws what OpenCV throws.
cv::Mat openCvDecode(std::span<const std::uint8_t> bytes, ImageFormat format, int flags) {
  if (decodesOnlyFromFile(format)) {
    if (const std::optional<MemoryFile> file = memoryFileWith(bytes)) {
      return cv::imread(file->path, flags);
    }
  }
  // imdecode never writes to its input; the Mat header only wraps it.
  const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1,
                        const_cast<std::uint8_t*>(bytes.data()));
  return cv::imdecode(encoded, flags);
}

}  // namespace

DecodedImage decodeImage(std::span<const std::uint8_t> bytes, const ImageReadLimits& limits,
                         std::string_view source, const DecodeOptions& options) {
  if (bytes.empty()) {
    throw Error(ErrorCode::FileReadFailed,
                std::string(source) + " is empty (0 bytes); pass a non-empty image");
  }
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    throw Error(ErrorCode::InvalidUserInput, std::string(source) + " is " +
                                                 std::to_string(bytes.size()) +
                                                 " bytes; OpenCV cannot decode images over 2 GiB");
  }

  // Refuse absurd sizes before the decoder allocates them.
  const ImageFormat format = sniffImageFormat(bytes);
  const auto declared = sniffImageDimensions(bytes);
  if (declared) {
    const std::uint64_t pixels = std::uint64_t{declared->width} * declared->height;
    if (pixels > limits.maxPixels) {
      throw Error(ErrorCode::InvalidUserInput,
                  pixelLimitMessage(source, declared->width, declared->height, format, limits));
    }
  }
  if (isTruncatedJpeg(bytes)) {
    throw Error(ErrorCode::FileReadFailed,
                std::string(source) +
                    " is a truncated JPEG (its data ends before the end-of-image "
                    "marker); re-download or re-export it");
  }

  // Only JPEG decodes at a reduced scale natively; OpenCV would decode any
  // other format in full and then resize, which is slower than not asking.
  const int scale = options.reduceToward && declared && format == ImageFormat::Jpeg
                        ? reducedDecodeScale(*declared, *options.reduceToward)
                        : 1;

  // The common PNG and JPEG kinds skip OpenCV (see png_fast.h, jpeg_fast.h),
  // each in its cheapest channel order when the caller reads either.
  if (scale == 1 && (format == ImageFormat::Png || format == ImageFormat::Jpeg)) {
    const ChannelOrder order =
        outputOrder(options, format == ImageFormat::Png ? ChannelOrder::RGB : ChannelOrder::BGR);
    std::optional<cv::Mat> fast =
        format == ImageFormat::Png ? decodePngFast(bytes, order) : decodeJpegFast(bytes, order);
    if (fast) {
      const int width = fast->cols;
      const int height = fast->rows;
      return DecodedImage{std::move(*fast), order, width, height};
    }
  }

  // Only PNGs carrying a colour profile are copied (see png_chunks.h).
  const auto quietPng = withoutPngColourProfile(bytes);
  const std::span<const std::uint8_t> decodable =
      quietPng ? std::span<const std::uint8_t>(*quietPng) : bytes;

  cv::Mat image;
  try {
    image = openCvDecode(decodable, format, reducedReadFlag(scale));
  } catch (const cv::Exception& e) {
    // OpenCV's own size guard (CV_IO_MAX_IMAGE_PIXELS/WIDTH/HEIGHT), hit by
    // formats whose header is not read here: an over-limit image, not a
    // broken one.
    if (e.err.find("CV_IO_MAX_IMAGE") != std::string::npos) {
      throw Error(ErrorCode::InvalidUserInput,
                  std::string(source) + " declares a size beyond OpenCV's decoding limit (" +
                      e.err + "); shrink the image");
    }
    failDecode(source, "OpenCV: " + e.err);
  }
  if (image.empty()) failDecode(source, describeContent(bytes));

  const cv::Size full = scale == 1 ? image.size() : fullSizeOf(image, *declared, scale);
  const auto width = static_cast<std::uint64_t>(full.width);
  const auto height = static_cast<std::uint64_t>(full.height);
  if (width * height > limits.maxPixels) {
    throw Error(ErrorCode::InvalidUserInput,
                pixelLimitMessage(source, width, height, format, limits));
  }
  if (image.type() != CV_8UC3) {
    // IMREAD_COLOR promises 8-bit BGR; anything else is an OpenCV surprise.
    failDecode(source, "OpenCV returned an unexpected pixel type");
  }
  const ChannelOrder order = outputOrder(options, ChannelOrder::BGR);  // OpenCV decodes to BGR
  if (order == ChannelOrder::RGB) {
    try {
      cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    } catch (const cv::Exception& e) {
      failDecode(source, "OpenCV: " + e.err);
    }
  }
  return DecodedImage{std::move(image), order, full.width, full.height};
}

cv::Mat decodeRgbImage(std::span<const std::uint8_t> bytes, const ImageReadLimits& limits,
                       std::string_view source) {
  return decodeImage(bytes, limits, source, {}).pixels;
}

}  // namespace etvision::detail
