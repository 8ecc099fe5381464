// The inputs the microbenchmarks share: bundled photos read once, and a large
// photo made from one of them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace etvision::bench {

/// The encoded bytes of data/photos/<name>; aborts the benchmark run when the
/// file cannot be read (a benchmark without its input measures nothing).
const std::vector<std::uint8_t>& photoBytes(const std::string& name);

/// A 4032x3024 photo (a phone camera's 12 MP), made by upscaling
/// skimage_rocket.jpg with bilinear interpolation and encoding it as a
/// quality-90 JPEG: real photo content at the size users actually send.
const std::vector<std::uint8_t>& largeJpegBytes();

/// largeJpegBytes() decoded: a CV_8UC3 RGB image, 4032x3024.
const cv::Mat& largeRgbImage();

}  // namespace etvision::bench
