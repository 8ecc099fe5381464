// Formats OpenCV decodes only from a file (PFM, Radiance HDR, Sun Raster):
// cv::imdecode spills their bytes to $OPENCV_TEMP_PATH (default /tmp) and
// leaves the file behind when the header declares a size it refuses. decode.cpp
// hands them an in-memory file instead; these tests point OPENCV_TEMP_PATH at
// a directory they watch (OpenCV reads the variable on every call).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "etvision/error.h"
#include "image/decode.h"
#include "support/test_paths.h"

namespace etvision::detail {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Sets OPENCV_TEMP_PATH for the test's duration (each test runs in its own
// process under ctest).
class OpenCvTempPath {
 public:
  explicit OpenCvTempPath(const std::filesystem::path& dir) {
    if (const char* old = std::getenv("OPENCV_TEMP_PATH")) old_ = old;
    setenv("OPENCV_TEMP_PATH", dir.c_str(), 1);
  }
  ~OpenCvTempPath() {
    if (old_) {
      setenv("OPENCV_TEMP_PATH", old_->c_str(), 1);
    } else {
      unsetenv("OPENCV_TEMP_PATH");
    }
  }
  OpenCvTempPath(const OpenCvTempPath&) = delete;
  OpenCvTempPath& operator=(const OpenCvTempPath&) = delete;

 private:
  std::optional<std::string> old_;
};

Bytes encode(const char* extension, const cv::Mat& image) {
  std::vector<uchar> out;
  if (!cv::imencode(extension, image, out)) throw std::runtime_error("cannot encode");
  return out;
}

cv::Mat testImage(int type) {
  cv::Mat image(13, 21, type);
  cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(type == CV_8UC3 ? 255 : 1));
  return image;
}

struct FileOnlyFormat {
  const char* extension;
  int type;
};
constexpr FileOnlyFormat kFileOnlyFormats[] = {
    {".pfm", CV_32FC3}, {".hdr", CV_32FC3}, {".ras", CV_8UC3}};

TEST(OpenCvTempFiles, FileOnlyFormatsDecodeWithoutATempFile) {
  for (const auto& format : kFileOnlyFormats) {
    SCOPED_TRACE(format.extension);
    const test::TempDir temp;
    Bytes bytes;
    cv::Mat expected;
    {
      const OpenCvTempPath writable(temp.path());
      bytes = encode(format.extension, testImage(format.type));
      expected = cv::imdecode(bytes, cv::IMREAD_COLOR);
    }
    ASSERT_FALSE(expected.empty());
    // A temp directory that cannot exist: cv::imdecode of these formats now
    // fails, the in-memory file does not.
    const OpenCvTempPath missing(temp.path() / "missing");
    EXPECT_TRUE(cv::imdecode(bytes, cv::IMREAD_COLOR).empty());
    DecodeOptions options;
    options.order = ChannelOrder::BGR;
    const DecodedImage decoded = decodeImage(bytes, {}, "test", options);
    ASSERT_EQ(decoded.pixels.size(), expected.size());
    EXPECT_EQ(cv::norm(decoded.pixels, expected, cv::NORM_INF), 0.0);
  }
}

// A PFM whose header declares height 0: OpenCV's size check throws after the
// decoder has read the header, the path where cv::imdecode left its copy.
TEST(OpenCvTempFiles, RefusedHeaderLeavesNoFileBehind) {
  const test::TempDir temp;
  const OpenCvTempPath watched(temp.path());
  const std::string_view header = "PF\n4 0\n-1.0\n";
  Bytes bytes(header.begin(), header.end());
  bytes.resize(bytes.size() + 4 * 3 * 4, 0);
  try {
    (void)decodeImage(bytes, {}, "zero.pfm", {});
    ADD_FAILURE() << "a PFM of height 0 decoded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::FileReadFailed) << e.what();
  }
  EXPECT_TRUE(std::filesystem::is_empty(temp.path()))
      << "left in " << temp.path() << ": "
      << std::filesystem::directory_iterator(temp.path())->path();
}

}  // namespace
}  // namespace etvision::detail
