#include "image/pixels.h"

#include <climits>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "etvision/error.h"

namespace etvision::detail {
namespace {

[[noreturn]] void fail(const PixelBuffer& pixels, const std::string& problem) {
  throw Error(ErrorCode::InvalidUserInput, "invalid pixel buffer " + std::to_string(pixels.width) +
                                               "x" + std::to_string(pixels.height) + " " +
                                               pixelFormatName(pixels.format) + ": " + problem);
}

}  // namespace

int bytesPerPixel(PixelFormat format) noexcept {
  switch (format) {
    case PixelFormat::RGB:
    case PixelFormat::BGR: return 3;
    case PixelFormat::RGBA:
    case PixelFormat::BGRA: return 4;
    case PixelFormat::Gray: return 1;
  }
  return 0;
}

const char* pixelFormatName(PixelFormat format) noexcept {
  switch (format) {
    case PixelFormat::RGB: return "RGB";
    case PixelFormat::RGBA: return "RGBA";
    case PixelFormat::BGR: return "BGR";
    case PixelFormat::BGRA: return "BGRA";
    case PixelFormat::Gray: return "Gray";
  }
  return "unknown";
}

cv::Mat pixelBufferView(const PixelBuffer& pixels, const ImageReadLimits& limits) {
  const int channels = bytesPerPixel(pixels.format);
  if (channels == 0) {
    fail(pixels, "unknown PixelFormat value " + std::to_string(static_cast<int>(pixels.format)));
  }
  if (pixels.data == nullptr) fail(pixels, "data is null");
  if (pixels.width <= 0 || pixels.height <= 0) {
    fail(pixels, "width and height must be positive");
  }
  const auto width = static_cast<std::uint64_t>(pixels.width);
  const auto height = static_cast<std::uint64_t>(pixels.height);
  if (width * height > limits.maxPixels) {
    fail(pixels, std::to_string(width * height) + " pixels is more than the limit of " +
                     std::to_string(limits.maxPixels) +
                     "; shrink it or raise ImageReadLimits::maxPixels");
  }
  const std::uint64_t rowBytes = width * static_cast<std::uint64_t>(channels);
  const std::uint64_t stride = pixels.strideBytes == 0 ? rowBytes : pixels.strideBytes;
  if (stride < rowBytes) {
    fail(pixels, "strideBytes " + std::to_string(pixels.strideBytes) +
                     " is shorter than one row (" + std::to_string(rowBytes) + " bytes = width x " +
                     std::to_string(channels) + "); pass 0 for tightly packed rows");
  }
  if (rowBytes > static_cast<std::uint64_t>(INT_MAX)) {
    fail(pixels, "a row of " + std::to_string(rowBytes) + " bytes is too long");
  }

  // Only read: the Mat type has no read-only flavour.
  return cv::Mat(pixels.height, pixels.width, CV_MAKETYPE(CV_8U, channels),
                 const_cast<std::uint8_t*>(pixels.data), static_cast<std::size_t>(stride));
}

cv::Mat pixelBufferToRgb(const PixelBuffer& pixels, const ImageReadLimits& limits) {
  // The borrowed buffer is only read: cvtColor and clone write to new memory.
  const cv::Mat view = pixelBufferView(pixels, limits);
  cv::Mat rgb;
  try {
    switch (pixels.format) {
      case PixelFormat::RGB: rgb = view.clone(); break;
      case PixelFormat::RGBA: cv::cvtColor(view, rgb, cv::COLOR_RGBA2RGB); break;
      case PixelFormat::BGR: cv::cvtColor(view, rgb, cv::COLOR_BGR2RGB); break;
      case PixelFormat::BGRA: cv::cvtColor(view, rgb, cv::COLOR_BGRA2RGB); break;
      case PixelFormat::Gray: cv::cvtColor(view, rgb, cv::COLOR_GRAY2RGB); break;
    }
  } catch (const cv::Exception& e) {
    fail(pixels, "OpenCV could not convert it: " + e.err);
  }
  return rgb;
}

}  // namespace etvision::detail
