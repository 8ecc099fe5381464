// Fuzz target: encoded image bytes (PNG, JPEG, GIF, BMP, WebP, TIFF, ...)
// through ImageSource::fromEncoded -> loadRgbImage, i.e. etvision's header
// sniffing and size checks (image_header.cpp) in front of cv::imdecode, with
// small limits (4 M pixels, 1 MiB encoded). A decoded image must be a
// non-empty CV_8UC3 image within the pixel limit.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "etvision/image_source.h"
#include "fuzz_common.h"
#include "image/image_header.h"
#include "image/image_loader.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cv::setNumThreads(0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace etvision;
  ImageReadLimits limits;
  limits.maxEncodedBytes = std::size_t{1} << 20;
  limits.maxPixels = 4'000'000;

  const std::vector<std::uint8_t> bytes(data, data + size);
  FUZZ_EXPECT_ONLY_ETVISION_ERRORS({
    // The header helpers on their own (they are noexcept or throw Error).
    (void)detail::sniffImageFormat(bytes);
    (void)detail::sniffImageDimensions(bytes);
    (void)detail::isTruncatedJpeg(bytes);
  });
  FUZZ_EXPECT_ONLY_ETVISION_ERRORS({
    const cv::Mat image = detail::loadRgbImage(ImageSource::fromEncoded(bytes), limits);
    FUZZ_CHECK(!image.empty());
    FUZZ_CHECK(image.type() == CV_8UC3);
    FUZZ_CHECK(static_cast<std::uint64_t>(image.cols) * image.rows <= limits.maxPixels);
  });
  return 0;
}
