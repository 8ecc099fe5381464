#include "image/image_header.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "support/test_files.h"
#include "support/test_paths.h"

namespace etvision::detail {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::vector<std::filesystem::path> photos() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(test::photosDir())) {
    const auto ext = entry.path().extension();
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") out.push_back(entry.path());
  }
  return out;
}

void appendBe16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void appendBe32(Bytes& b, std::uint32_t v) {
  appendBe16(b, v >> 16);
  appendBe16(b, v & 0xFFFF);
}
void appendLe16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void appendLe32(Bytes& b, std::uint32_t v) {
  appendLe16(b, v & 0xFFFF);
  appendLe16(b, v >> 16);
}
void appendText(Bytes& b, std::string_view text) {
  b.insert(b.end(), text.begin(), text.end());
}

// A PNG signature and IHDR chunk (CRC left zero: only the header is read).
Bytes pngHeader(std::uint32_t width, std::uint32_t height) {
  Bytes b{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  appendBe32(b, 13);
  appendText(b, "IHDR");
  appendBe32(b, width);
  appendBe32(b, height);
  b.insert(b.end(), {8, 2, 0, 0, 0});  // depth, colour type, methods
  appendBe32(b, 0);
  return b;
}

// SOI, an APP0 segment, a few fill bytes, then SOF2 (progressive).
Bytes jpegHeader(std::uint32_t width, std::uint32_t height) {
  Bytes b{0xFF, 0xD8, 0xFF, 0xE0};
  appendBe16(b, 16);
  appendText(b, std::string_view("JFIF\0\1\1\0\0\1\0\1\0\0", 14));
  b.insert(b.end(), {0xFF, 0xFF, 0xFF, 0xC2});
  appendBe16(b, 17);
  b.push_back(8);
  appendBe16(b, height);
  appendBe16(b, width);
  b.insert(b.end(), {3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1});
  return b;
}

Bytes encode(const std::string& extension, int width, int height) {
  cv::Mat image(height, width, CV_8UC3);
  cv::randu(image, 0, 255);
  std::vector<std::uint8_t> out;
  EXPECT_TRUE(cv::imencode(extension, image, out)) << extension;
  return out;
}

void expectDimensions(const Bytes& bytes, std::uint32_t width, std::uint32_t height) {
  const auto dims = sniffImageDimensions(bytes);
  ASSERT_TRUE(dims.has_value());
  EXPECT_EQ(dims->width, width);
  EXPECT_EQ(dims->height, height);
}

TEST(ImageHeader, RealPhotosMatchOpenCvDecode) {
  const auto files = photos();
  ASSERT_GE(files.size(), 10u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    const Bytes bytes = test::readFileBytes(path);
    const cv::Mat decoded =
        cv::imdecode(bytes, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
    ASSERT_FALSE(decoded.empty());
    expectDimensions(bytes, static_cast<std::uint32_t>(decoded.cols),
                     static_cast<std::uint32_t>(decoded.rows));
    const ImageFormat expected = path.extension() == ".png" ? ImageFormat::Png : ImageFormat::Jpeg;
    EXPECT_EQ(sniffImageFormat(bytes), expected);
    EXPECT_FALSE(isTruncatedJpeg(bytes));
  }
}

TEST(ImageHeader, OpenCvEncodedFormats) {
  const struct {
    const char* extension;
    ImageFormat format;
  } cases[] = {{".png", ImageFormat::Png},      {".jpg", ImageFormat::Jpeg},
               {".bmp", ImageFormat::Bmp},      {".webp", ImageFormat::WebP},
               {".tiff", ImageFormat::Tiff},    {".ppm", ImageFormat::Pnm},
               {".ras", ImageFormat::SunRaster}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.extension);
    const Bytes bytes = encode(c.extension, 37, 23);
    EXPECT_EQ(sniffImageFormat(bytes), c.format);
    expectDimensions(bytes, 37, 23);
  }
  // Formats whose header is not parsed are left to OpenCV's own limits.
  const Bytes hdr = encode(".hdr", 3, 3);
  EXPECT_EQ(sniffImageFormat(hdr), ImageFormat::Radiance);
  EXPECT_FALSE(sniffImageDimensions(hdr).has_value());
}

TEST(ImageHeader, CraftedHugeTiffAndPnm) {
  for (const bool little : {true, false}) {
    Bytes tiff;
    appendText(tiff, little ? std::string_view("II*\0", 4) : std::string_view("MM\0*", 4));
    const auto u16 = [&](std::uint32_t v) { little ? appendLe16(tiff, v) : appendBe16(tiff, v); };
    const auto u32 = [&](std::uint32_t v) { little ? appendLe32(tiff, v) : appendBe32(tiff, v); };
    u32(8);
    u16(3);
    u16(256), u16(4), u32(1), u32(200000);         // ImageWidth, LONG
    u16(257), u16(3), u32(1), u16(60000), u16(0);  // ImageLength, SHORT
    u16(277), u16(3), u32(1), u16(3), u16(0);      // SamplesPerPixel
    u32(0);
    expectDimensions(tiff, 200000, 60000);
  }
  const std::string pnm = "P6\n# a comment\n 200000\t300000\n255\n";
  expectDimensions(Bytes(pnm.begin(), pnm.end()), 200000, 300000);
  const std::string unfinished = "P6 200000 3000";  // the height may go on
  EXPECT_FALSE(sniffImageDimensions(Bytes(unfinished.begin(), unfinished.end())).has_value());
  const std::string overflow = "P5 99999999999 1 ";
  EXPECT_FALSE(sniffImageDimensions(Bytes(overflow.begin(), overflow.end())).has_value());
}

TEST(ImageHeader, LosslessWebPHeader) {
  std::vector<std::uint8_t> bytes;
  cv::Mat image(23, 37, CV_8UC3, cv::Scalar(1, 2, 3));
  // Quality above 100 selects lossless (VP8L) in OpenCV's WebP encoder.
  ASSERT_TRUE(cv::imencode(".webp", image, bytes, {cv::IMWRITE_WEBP_QUALITY, 101}));
  ASSERT_GE(bytes.size(), 16u);
  EXPECT_EQ(std::string(bytes.begin() + 12, bytes.begin() + 16), "VP8L");
  expectDimensions(bytes, 37, 23);
}

TEST(ImageHeader, CraftedHugePngIsReadWithoutDecoding) {
  expectDimensions(pngHeader(100000, 100000), 100000, 100000);
  expectDimensions(pngHeader(0x7FFFFFFF, 1), 0x7FFFFFFF, 1);
}

TEST(ImageHeader, CraftedHugeJpegSkipsSegmentsAndFillBytes) {
  expectDimensions(jpegHeader(65535, 65535), 65535, 65535);
  expectDimensions(jpegHeader(640, 480), 640, 480);
}

TEST(ImageHeader, GifBmpAndWebPExtendedHeaders) {
  Bytes gif;
  appendText(gif, "GIF89a");
  appendLe16(gif, 65535);
  appendLe16(gif, 300);
  gif.insert(gif.end(), {0, 0, 0});
  expectDimensions(gif, 65535, 300);

  Bytes bmp;
  appendText(bmp, "BM");
  appendLe32(bmp, 0);
  appendLe32(bmp, 0);
  appendLe32(bmp, 54);
  appendLe32(bmp, 40);  // BITMAPINFOHEADER
  appendLe32(bmp, 50000);
  appendLe32(bmp, static_cast<std::uint32_t>(-40000));  // top-down rows
  expectDimensions(bmp, 50000, 40000);

  Bytes webp;
  appendText(webp, "RIFF");
  appendLe32(webp, 100);
  appendText(webp, "WEBPVP8X");
  appendLe32(webp, 10);
  appendLe32(webp, 0);           // flags + reserved
  for (int i = 0; i < 2; ++i) {  // 24-bit width-1 and height-1: 16777216
    webp.insert(webp.end(), {0xFF, 0xFF, 0xFF});
  }
  expectDimensions(webp, 16777216, 16777216);
}

TEST(ImageHeader, ZeroSizesAreUnknown) {
  EXPECT_FALSE(sniffImageDimensions(pngHeader(0, 10)).has_value());
  EXPECT_FALSE(sniffImageDimensions(jpegHeader(10, 0)).has_value());
}

TEST(ImageHeader, TruncatedHeadersAreUnknownNotGuessed) {
  for (const Bytes& full :
       {pngHeader(300, 200), jpegHeader(300, 200), encode(".bmp", 300, 200),
        encode(".webp", 300, 200), encode(".tiff", 300, 200), encode(".ppm", 300, 200),
        test::readFileBytes(test::photosDir() / "wonnx_pelican.jpeg")}) {
    const auto expected = sniffImageDimensions(full);
    ASSERT_TRUE(expected.has_value());
    for (std::size_t length = 0; length < std::min<std::size_t>(full.size(), 4096); ++length) {
      const Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(length));
      const auto dims = sniffImageDimensions(prefix);
      if (dims) {  // only ever the true size, once enough bytes are there
        EXPECT_EQ(dims->width, expected->width) << length;
        EXPECT_EQ(dims->height, expected->height) << length;
      }
    }
  }
}

TEST(ImageHeader, MalformedJpegSegmentsDoNotLoop) {
  Bytes zeroLength{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00, 0xFF, 0xC0};
  EXPECT_FALSE(sniffImageDimensions(zeroLength).has_value());
  Bytes noMarker{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0x12, 0x34};
  EXPECT_FALSE(sniffImageDimensions(noMarker).has_value());
  EXPECT_FALSE(isTruncatedJpeg(noMarker));
  Bytes scanFirst{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0xFF, 0xD9};
  EXPECT_FALSE(sniffImageDimensions(scanFirst).has_value());
}

TEST(ImageHeader, DetectsTruncatedJpeg) {
  const Bytes full = test::readFileBytes(test::photosDir() / "opencv_messi5.jpg");
  ASSERT_FALSE(isTruncatedJpeg(full));
  for (std::size_t cut : {std::size_t{2}, std::size_t{3}, std::size_t{100}, full.size() / 2,
                          full.size() - 2, full.size() - 1}) {
    const Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_TRUE(isTruncatedJpeg(prefix)) << "cut at " << cut;
  }
  Bytes trailing = full;
  trailing.insert(trailing.end(), 64, 0x00);  // padding after EOI is fine
  EXPECT_FALSE(isTruncatedJpeg(trailing));

  // Progressive JPEGs have several scans separated by tables.
  cv::Mat image(64, 48, CV_8UC3, cv::Scalar(10, 200, 30));
  Bytes progressive;
  ASSERT_TRUE(cv::imencode(".jpg", image, progressive, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
  EXPECT_FALSE(isTruncatedJpeg(progressive));
  progressive.resize(progressive.size() - 10);
  EXPECT_TRUE(isTruncatedJpeg(progressive));

  EXPECT_FALSE(isTruncatedJpeg(pngHeader(1, 1)));  // not a JPEG at all
}

TEST(ImageHeader, FormatSignatures) {
  EXPECT_EQ(sniffImageFormat(Bytes{}), ImageFormat::Unknown);
  EXPECT_EQ(sniffImageFormat(Bytes{'<', 'h', 't', 'm', 'l', '>'}), ImageFormat::Unknown);
  EXPECT_EQ(sniffImageFormat(Bytes{'G', 'I', 'F', '8', '7', 'a'}), ImageFormat::Gif);
  EXPECT_EQ(sniffImageFormat(Bytes{0xFF, 0xD8}), ImageFormat::Unknown);
  EXPECT_STREQ(imageFormatName(ImageFormat::Png), "PNG");
  EXPECT_STREQ(imageFormatName(ImageFormat::Unknown), "unknown");
}

}  // namespace
}  // namespace etvision::detail
