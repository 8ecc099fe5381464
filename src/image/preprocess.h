// RGB image -> the float tensor a vision model takes, exactly as
// react-native-executorch prepares it.
#pragma once

#include <optional>

#include <opencv2/core/mat.hpp>

#include "etvision/model.h"
#include "image/decode.h"

namespace etvision::detail {

/// Writes `rgb` (CV_8UC3, RGB order) into `out` as planar float32 [3, H, W]
/// (R plane, then G, then B), the reference pipeline step for step:
///   1. cv::resize of the 8-bit image to width x height, INTER_LINEAR: the
///      whole image stretched, aspect ratio not kept; skipped when the size
///      already matches;
///   2. x = value / 255.0f;
///   3. when `norm` is set, x = (x - mean[c]) / stddev[c].
/// Steps 2-3 are bit-identical to that float arithmetic (see the .cpp).
/// `out` must hold 3 * height * width floats. Throws Error(WrongDimensions)
/// for a non-positive height or width, Error(InvalidUserInput) for an image
/// that is empty or not CV_8UC3, a null `out`, or a zero stddev.
void preprocessToNchw(const cv::Mat& rgb, int height, int width,
                      const std::optional<Normalization>& norm, float* out);

/// The same for an image whose channels are in `order`: a BGR image (as
/// OpenCV decodes) gives bit-identical output to its RGB conversion, because
/// the resize treats channels independently and the planes are written in
/// RGB order whatever order the pixels hold. Saves the decoder's full-size
/// BGR -> RGB pass.
void preprocessToNchw(const cv::Mat& image, ChannelOrder order, int height, int width,
                      const std::optional<Normalization>& norm, float* out);

}  // namespace etvision::detail
