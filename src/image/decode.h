// Encoded image bytes -> 8-bit RGB pixels, with OpenCV.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <opencv2/core/mat.hpp>

#include "etvision/image_source.h"

namespace etvision::detail {

/// Decodes `bytes` (PNG, JPEG, WebP, BMP, TIFF, ...) into a CV_8UC3 RGB
/// image: EXIF orientation applied, alpha dropped, grey expanded, deeper
/// samples scaled to 8 bits (cv::imdecode with IMREAD_COLOR).
///
/// The declared size is checked against `limits.maxPixels` before anything is
/// allocated (see image_header.h), and the decoded size again afterwards for
/// formats whose header is not read here. `source` names the input in
/// messages. Throws Error(FileReadFailed) for data that is empty, truncated or
/// not an image, Error(InvalidUserInput) for an image over the limits; never
/// lets a cv::Exception escape.
cv::Mat decodeRgbImage(std::span<const std::uint8_t> bytes, const ImageReadLimits& limits,
                       std::string_view source);

}  // namespace etvision::detail
