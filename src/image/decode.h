// Encoded image bytes -> 8-bit RGB pixels, with OpenCV.
#pragma once

#include <cstdint>
#include <optional>
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

/// Channel order of decoded pixels. OpenCV decodes to BGR; asking for BGR
/// skips a full-size conversion pass when the consumer (preprocessing) can
/// read the channels in either order.
enum class ChannelOrder { RGB, BGR };

struct DecodeOptions {
  ChannelOrder order = ChannelOrder::RGB;
  /// Reduced-resolution JPEG decode (libjpeg DCT scaling through OpenCV's
  /// IMREAD_REDUCED_COLOR_2/4/8): when set, a JPEG at least twice this size
  /// (the model input) in both dimensions is decoded at 1/2, 1/4 or 1/8 of
  /// its size, the largest reduction that keeps both sides at or above
  /// max(width, height) of this size. Much faster on large photos, but the
  /// pixels differ from a full decode followed by the resize (the DCT
  /// scaling averages where the bilinear resize samples). Other formats are
  /// always decoded in full.
  std::optional<cv::Size> reduceToward;
  /// loadImage only: a packed RGB or BGR pixel buffer (ImageSource::fromPixels)
  /// is returned as a view of the caller's memory in its own channel order
  /// (ignoring `order`) instead of a converted copy: for a caller that reads
  /// either order and is done with the pixels before the consuming call
  /// returns (the model input: a video frame costs no copy).
  bool borrowPixels = false;
  /// The caller reads DecodedImage::order and takes either order: the
  /// decoder then returns whichever is cheaper for the format (RGB from the
  /// PNG fast path, BGR from OpenCV), ignoring `order`.
  bool acceptEitherOrder = false;
};

struct DecodedImage {
  /// CV_8UC3, in the requested channel order.
  cv::Mat pixels;
  ChannelOrder order = ChannelOrder::RGB;
  /// Size of the full image, EXIF orientation applied; larger than `pixels`
  /// after a reduced decode.
  int width = 0;
  int height = 0;
};

/// decodeRgbImage with a choice of channel order and reduced decoding; the
/// same checks and errors.
DecodedImage decodeImage(std::span<const std::uint8_t> bytes, const ImageReadLimits& limits,
                         std::string_view source, const DecodeOptions& options);

}  // namespace etvision::detail
