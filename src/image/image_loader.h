// The one way the tasks read an image: any ImageSource -> RGB pixels.
#pragma once

#include <opencv2/core/mat.hpp>

#include "etvision/image_source.h"

namespace etvision::detail {

/// Reads, decodes and converts `source` into a new CV_8UC3 RGB image that
/// owns its pixels. Throws Error(FileReadFailed / InvalidUserInput) as
/// image_source.h documents.
cv::Mat loadRgbImage(const ImageSource& source, const ImageReadLimits& limits);

}  // namespace etvision::detail
