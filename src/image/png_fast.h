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

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__SSE4_1__)
/// The two x86 variants of the row-unfilter kernel decodePngFast picks from
/// at run time (SSE4.1 when the CPU has it), exposed so that the tests run
/// both whatever the CPU: filter 1 (sub), 3 (average) or 4 (Paeth) on a row
/// of `length` bytes of `bpp`-byte pixels (3 or 4), reading and writing 4
/// bytes per pixel, so `in`, `above` and `out` need one byte of slack.
namespace png_unfilter {
void sse2(std::uint8_t filter, const std::uint8_t* in, const std::uint8_t* above, std::uint8_t* out,
          std::size_t length, std::size_t bpp);
void sse41(std::uint8_t filter, const std::uint8_t* in, const std::uint8_t* above,
           std::uint8_t* out, std::size_t length, std::size_t bpp);
bool sse41Supported();
}  // namespace png_unfilter
#define ETVISION_PNG_UNFILTER_VARIANTS 1
#endif

}  // namespace etvision::detail
