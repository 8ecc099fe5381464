#include "image/png_chunks.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>

#include "support/test_files.h"
#include "support/test_paths.h"

namespace etvision::detail {
namespace {

bool containsChunk(const std::vector<std::uint8_t>& bytes, const char* type) {
  const std::string text(bytes.begin(), bytes.end());
  return text.find(type) != std::string::npos;
}

TEST(PngChunks, DropsTheColourProfileAndKeepsThePixels) {
  // skimage_astronaut.png carries the iCCP profile libpng warns about.
  const auto original = test::readFileBytes(test::photosDir() / "skimage_astronaut.png");
  ASSERT_TRUE(containsChunk(original, "iCCP"));
  const auto quiet = withoutPngColourProfile(original);
  ASSERT_TRUE(quiet.has_value());
  EXPECT_FALSE(containsChunk(*quiet, "iCCP"));
  EXPECT_LT(quiet->size(), original.size());
  const cv::Mat before = cv::imdecode(original, cv::IMREAD_COLOR);
  const cv::Mat after = cv::imdecode(*quiet, cv::IMREAD_COLOR);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(cv::norm(before, after, cv::NORM_INF), 0.0);
}

TEST(PngChunks, LeavesEverythingElseAlone) {
  const auto jpeg = test::readFileBytes(test::photosDir() / "wonnx_pelican.jpeg");
  EXPECT_FALSE(withoutPngColourProfile(jpeg).has_value());
  const auto plainPng = test::readFileBytes(test::photosDir() / "winml_kitten_224.png");
  ASSERT_FALSE(containsChunk(plainPng, "iCCP"));
  EXPECT_FALSE(withoutPngColourProfile(plainPng).has_value());
  EXPECT_FALSE(withoutPngColourProfile({}).has_value());
  // An iCCP chunk whose length runs past the end: malformed, left for the
  // decoder to report.
  const std::vector<std::uint8_t> malformed{0x89, 'P',  'N',  'G', '\r', '\n', 0x1A, '\n', 0x00,
                                            0x10, 0x00, 0x00, 'i', 'C',  'C',  'P',  1,    2};
  EXPECT_FALSE(withoutPngColourProfile(malformed).has_value());
}

}  // namespace
}  // namespace etvision::detail
