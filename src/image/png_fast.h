// A fast path for the PNGs photos usually are: 8-bit, non-interlaced grey,
// grey+alpha, RGB or RGBA.
//
// OpenCV decodes PNG through libpng and zlib, whose inflate and scalar
// row filters (Paeth above all) made PNG decoding most of the time outside
// inference on a small photo. Here the image data is inflated in one call by
// libdeflate and unfiltered row by row in L1, straight into the channel
// order the caller reads. The pixels are bit-identical to cv::imdecode with
// IMREAD_COLOR (alpha dropped, grey replicated), which tests/unit checks on
// every photo and on generated PNGs of each kind and filter.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include <opencv2/core/mat.hpp>

#include "image/decode.h"

namespace etvision::detail {

/// The PNG in `bytes` decoded to CV_8UC3 pixels in `order`, or nullopt when
/// it is outside the fast subset or anything about it is unusual: another
/// bit depth or colour type (palette, 16-bit), interlacing, a tRNS or eXIf
/// chunk, an unknown critical chunk, a CRC or zlib checksum that does not
/// match, image data of the wrong length. The caller then decodes with
/// OpenCV, so such files keep OpenCV's behaviour and errors exactly. The
/// declared size must already have been checked against the pixel limits.
/// Never throws for bad data.
std::optional<cv::Mat> decodePngFast(std::span<const std::uint8_t> bytes, ChannelOrder order);

}  // namespace etvision::detail
