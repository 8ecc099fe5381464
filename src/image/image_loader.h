// The one way the tasks read an image: any ImageSource -> RGB pixels.
#pragma once

#include <opencv2/core/mat.hpp>

#include "etvision/image_source.h"
#include "image/decode.h"

namespace etvision::detail {

/// Reads, decodes and converts `source` into a new CV_8UC3 RGB image that
/// owns its pixels. Throws Error(FileReadFailed / InvalidUserInput) as
/// image_source.h documents.
cv::Mat loadRgbImage(const ImageSource& source, const ImageReadLimits& limits);

/// The same, with the decoder's channel order, reduced-decode and
/// borrowing choices (see DecodeOptions); without borrowPixels, raw pixel
/// buffers are converted to RGB in full and `pixels` owns its memory.
DecodedImage loadImage(const ImageSource& source, const ImageReadLimits& limits,
                       const DecodeOptions& options);

}  // namespace etvision::detail
