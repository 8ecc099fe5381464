// encodePalettePng (src/render/palette_png.h): indices survive exactly, the
// palette is the one given, and decoders that expand palettes show it.
#include "render/palette_png.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "etvision/error.h"
#include "support/palette_png_reader.h"

namespace etvision::detail {
namespace {

TEST(PalettePng, IndicesAndPaletteRoundTrip) {
  const int width = 7, height = 5;
  std::vector<std::uint8_t> indices(width * height);
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<std::uint8_t>(i % 3);
  const std::vector<Rgb> palette{{10, 20, 30}, {200, 0, 0}, {0, 255, 128}};
  const auto png = encodePalettePng(indices, width, height, palette);

  const test::PaletteImage read = test::readPalettePng(png);
  EXPECT_EQ(read.width, width);
  EXPECT_EQ(read.height, height);
  EXPECT_EQ(read.indices, indices);
  ASSERT_EQ(read.palette.size(), 3u);
  EXPECT_EQ(read.palette[1], (std::array<std::uint8_t, 3>{200, 0, 0}));

  // libpng (through OpenCV) accepts the file and expands it to the colours.
  const cv::Mat bgr = cv::imdecode(png, cv::IMREAD_COLOR);
  ASSERT_EQ(bgr.rows, height);
  ASSERT_EQ(bgr.cols, width);
  EXPECT_EQ(bgr.at<cv::Vec3b>(0, 1), cv::Vec3b(0, 0, 200));  // index 1, in BGR
  EXPECT_EQ(bgr.at<cv::Vec3b>(0, 2), cv::Vec3b(128, 255, 0));
}

TEST(PalettePng, AnIndexWithoutAColourIsRefused) {
  const std::vector<std::uint8_t> indices{0, 1, 2, 3};
  const std::vector<Rgb> palette{{0, 0, 0}, {1, 1, 1}};
  EXPECT_THROW(encodePalettePng(indices, 2, 2, palette), Error);
  EXPECT_THROW(encodePalettePng(indices, 3, 2, palette), Error);  // size mismatch
}

}  // namespace
}  // namespace etvision::detail
