// Raw pixel buffers (etvision::PixelBuffer) -> 8-bit RGB pixels.
#pragma once

#include <opencv2/core/mat.hpp>

#include "etvision/image_source.h"

namespace etvision::detail {

/// Bytes per pixel of `format`; 0 for a value outside the enum.
int bytesPerPixel(PixelFormat format) noexcept;

/// "RGB", "RGBA", ...; "unknown" for a value outside the enum.
const char* pixelFormatName(PixelFormat format) noexcept;

/// `pixels` checked (format, size, stride, ImageReadLimits::maxPixels) and
/// wrapped as a Mat over the caller's memory, in its own format: no copy,
/// valid only while the buffer is. Throws InvalidUserInput like
/// pixelBufferToRgb.
cv::Mat pixelBufferView(const PixelBuffer& pixels, const ImageReadLimits& limits);

/// Copies `pixels` into a new CV_8UC3 RGB image (converting RGBA, BGR, BGRA
/// and grey); the result does not borrow the buffer. Throws
/// Error(InvalidUserInput) for a null pointer, a non-positive size, a stride
/// shorter than a row, an unknown format or more than `limits.maxPixels`.
cv::Mat pixelBufferToRgb(const PixelBuffer& pixels, const ImageReadLimits& limits);

}  // namespace etvision::detail
