// The PNG and JPEG fast paths (png_fast.h, jpeg_fast.h) against OpenCV's
// decoder, which they stand in for: the same pixels bit for bit, or nullopt
// so that OpenCV decodes.
#include <gtest/gtest.h>
#include <zlib.h>

// jpeglib.h needs size_t and FILE declared first.
#include <cstddef>
#include <cstdio>

#include <jpeglib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "etvision/error.h"
#include "image/decode.h"
#include "image/image_header.h"
#include "image/jpeg_fast.h"
#include "image/png_fast.h"
#include "support/test_files.h"
#include "support/test_paths.h"

namespace etvision::detail {
namespace {

using Bytes = std::vector<std::uint8_t>;

cv::Mat opencvDecode(const Bytes& bytes) {
  return cv::imdecode(bytes, cv::IMREAD_COLOR);  // BGR
}

::testing::AssertionResult samePixels(const cv::Mat& actual, const cv::Mat& expected) {
  if (actual.size() != expected.size() || actual.type() != expected.type()) {
    return ::testing::AssertionFailure()
           << "size/type " << actual.cols << "x" << actual.rows << "/" << actual.type() << " vs "
           << expected.cols << "x" << expected.rows << "/" << expected.type();
  }
  const double difference = cv::norm(actual, expected, cv::NORM_INF);
  if (difference != 0.0) return ::testing::AssertionFailure() << "max difference " << difference;
  return ::testing::AssertionSuccess();
}

cv::Mat toRgb(const cv::Mat& bgr) {
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

// --- handmade PNGs: every filter type, every colour type the path reads -----

void appendBigEndian32(Bytes& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(value >> shift));
}

void appendChunk(Bytes& out, const char* type, const Bytes& data) {
  appendBigEndian32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t typeAt = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  const uLong crc = crc32(0, out.data() + typeAt, static_cast<uInt>(4 + data.size()));
  appendBigEndian32(out, static_cast<std::uint32_t>(crc));
}

int paethPredictor(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a);
  const int pb = std::abs(p - b);
  const int pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

// Filters `pixels` (rows of width * channels bytes) with filter type
// y % 5 on row y (or `onlyFilter`), as an encoder would, written the way
// the specification states it rather than the way png_fast.cpp inverts it.
Bytes filterRows(const cv::Mat& pixels, int onlyFilter = -1) {
  const int channels = pixels.channels();
  const std::size_t length = static_cast<std::size_t>(pixels.cols) * channels;
  Bytes out;
  for (int y = 0; y < pixels.rows; ++y) {
    const std::uint8_t* row = pixels.ptr<std::uint8_t>(y);
    const std::uint8_t* above = y > 0 ? pixels.ptr<std::uint8_t>(y - 1) : nullptr;
    const int filter = onlyFilter >= 0 ? onlyFilter : y % 5;
    out.push_back(static_cast<std::uint8_t>(filter));
    for (std::size_t i = 0; i < length; ++i) {
      const int a = i >= static_cast<std::size_t>(channels) ? row[i - channels] : 0;
      const int b = above ? above[i] : 0;
      const int c = above && i >= static_cast<std::size_t>(channels) ? above[i - channels] : 0;
      int predicted = 0;
      switch (filter) {
        case 1: predicted = a; break;
        case 2: predicted = b; break;
        case 3: predicted = (a + b) / 2; break;
        case 4: predicted = paethPredictor(a, b, c); break;
        default: break;
      }
      out.push_back(static_cast<std::uint8_t>(row[i] - predicted));
    }
  }
  return out;
}

struct PngParts {
  Bytes header;        // signature + IHDR
  Bytes compressed;    // the zlib stream
  Bytes beforeImage;   // chunks between IHDR and IDAT
  int idatPieces = 1;  // IDAT chunks the stream is split into
};

Bytes assemble(const PngParts& parts) {
  Bytes png = parts.header;
  png.insert(png.end(), parts.beforeImage.begin(), parts.beforeImage.end());
  const std::size_t piece = (parts.compressed.size() + parts.idatPieces - 1) / parts.idatPieces;
  for (std::size_t at = 0; at < parts.compressed.size(); at += piece) {
    const std::size_t end = std::min(parts.compressed.size(), at + piece);
    appendChunk(png, "IDAT",
                Bytes(parts.compressed.begin() + static_cast<long>(at),
                      parts.compressed.begin() + static_cast<long>(end)));
  }
  appendChunk(png, "IEND", {});
  return png;
}

PngParts pngParts(const cv::Mat& pixels, int onlyFilter = -1, std::uint8_t interlace = 0) {
  static const std::uint8_t colourTypes[] = {0, 0, 4, 2, 6};
  PngParts parts;
  parts.header = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  Bytes ihdr;
  appendBigEndian32(ihdr, static_cast<std::uint32_t>(pixels.cols));
  appendBigEndian32(ihdr, static_cast<std::uint32_t>(pixels.rows));
  ihdr.insert(ihdr.end(), {8, colourTypes[pixels.channels()], 0, 0, interlace});
  appendChunk(parts.header, "IHDR", ihdr);
  const Bytes filtered = filterRows(pixels, onlyFilter);
  uLongf size = compressBound(static_cast<uLong>(filtered.size()));
  parts.compressed.resize(size);
  EXPECT_EQ(compress(parts.compressed.data(), &size, filtered.data(),
                     static_cast<uLong>(filtered.size())),
            Z_OK);
  parts.compressed.resize(size);
  return parts;
}

// Noise over gradients: every filter meets large and small differences.
cv::Mat testPattern(int width, int height, int channels, unsigned seed) {
  cv::Mat pixels(height, width, CV_8UC(channels));
  std::mt19937 random(seed);
  for (int y = 0; y < height; ++y) {
    std::uint8_t* row = pixels.ptr<std::uint8_t>(y);
    for (int i = 0; i < width * channels; ++i) {
      const int gradient = (y * 7 + i * 3) % 256;
      row[i] = static_cast<std::uint8_t>(random() % 4 == 0 ? random() % 256 : gradient);
    }
  }
  return pixels;
}

TEST(PngFast, MatchesOpenCvOnEveryFilterAndColourType) {
  for (const int channels : {1, 2, 3, 4}) {
    for (const int width : {1, 2, 7, 451}) {
      const cv::Mat pixels = testPattern(width, 23, channels, static_cast<unsigned>(width));
      for (const int onlyFilter : {-1, 0, 1, 2, 3, 4}) {
        SCOPED_TRACE("channels " + std::to_string(channels) + " width " + std::to_string(width) +
                     " filter " + std::to_string(onlyFilter));
        const Bytes png = assemble(pngParts(pixels, onlyFilter));
        const cv::Mat expected = opencvDecode(png);
        ASSERT_FALSE(expected.empty());
        const auto bgr = decodePngFast(png, ChannelOrder::BGR);
        ASSERT_TRUE(bgr.has_value());
        EXPECT_TRUE(samePixels(*bgr, expected));
        const auto rgb = decodePngFast(png, ChannelOrder::RGB);
        ASSERT_TRUE(rgb.has_value());
        EXPECT_TRUE(samePixels(*rgb, toRgb(expected)));
      }
    }
  }
}

#if defined(ETVISION_PNG_UNFILTER_VARIANTS)
// Both instruction-set variants of the pixel kernel, whichever the CPU
// picks, against the specification's formula on random rows.
TEST(PngFast, EveryUnfilterVariantMatchesTheSpecification) {
  std::mt19937 random(5);
  for (const std::size_t bpp : {3u, 4u}) {
    const std::size_t length = 37 * bpp;
    Bytes in(length + 1), above(length + 1), expected(length);
    for (int round = 0; round < 20; ++round) {
      for (std::size_t i = 0; i < length; ++i) {
        in[i] = static_cast<std::uint8_t>(random());
        above[i] = static_cast<std::uint8_t>(round % 4 == 0 ? 0 : random());
      }
      for (const int filterType : {1, 3, 4}) {
        const auto filter = static_cast<std::uint8_t>(filterType);
        for (std::size_t i = 0; i < length; ++i) {
          const int a = i >= bpp ? expected[i - bpp] : 0;
          const int b = above[i];
          const int c = i >= bpp ? above[i - bpp] : 0;
          const int predicted = filter == 1   ? a
                                : filter == 3 ? (a + b) / 2
                                              : paethPredictor(a, b, c);
          expected[i] = static_cast<std::uint8_t>(in[i] + predicted);
        }
        for (const auto variant : {png_unfilter::sse2, png_unfilter::sse41}) {
          if (variant == png_unfilter::sse41 && !png_unfilter::sse41Supported()) continue;
          Bytes out(length + 1, 0);
          variant(filter, in.data(), above.data(), out.data(), length, bpp);
          out.resize(length);
          EXPECT_EQ(out, expected) << "bpp " << bpp << " filter " << int{filter}
                                   << (variant == png_unfilter::sse2 ? " SSE2" : " SSE4.1");
        }
      }
    }
  }
}
#endif

TEST(PngFast, JoinsImageDataSplitOverManyChunks) {
  PngParts parts = pngParts(testPattern(64, 40, 3, 7));
  parts.idatPieces = 9;
  const Bytes png = assemble(parts);
  const auto fast = decodePngFast(png, ChannelOrder::BGR);
  ASSERT_TRUE(fast.has_value());
  EXPECT_TRUE(samePixels(*fast, opencvDecode(png)));
}

using FastDecoder = std::optional<cv::Mat> (*)(std::span<const std::uint8_t>, ChannelOrder);

// Every photo in data/photos with one of `extensions`, decoded by `decode`
// in both channel orders, against OpenCV.
void expectEveryPhotoMatchesOpenCv(FastDecoder decode,
                                   std::initializer_list<std::string_view> extensions) {
  int photos = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::photosDir())) {
    const std::string extension = entry.path().extension().string();
    if (std::find(extensions.begin(), extensions.end(), extension) == extensions.end()) continue;
    SCOPED_TRACE(entry.path().filename().string());
    const Bytes bytes = test::readFileBytes(entry.path());
    const cv::Mat expected = opencvDecode(bytes);
    for (const ChannelOrder order : {ChannelOrder::BGR, ChannelOrder::RGB}) {
      const auto decoded = decode(bytes, order);
      ASSERT_TRUE(decoded.has_value());
      EXPECT_TRUE(samePixels(*decoded, order == ChannelOrder::BGR ? expected : toRgb(expected)));
    }
    ++photos;
  }
  EXPECT_GE(photos, 4);
}

TEST(PngFast, MatchesOpenCvOnEveryPngPhoto) {
  expectEveryPhotoMatchesOpenCv(decodePngFast, {".png"});
}

TEST(PngFast, LeavesWhatItDoesNotReadToOpenCv) {
  const cv::Mat pixels = testPattern(16, 8, 3, 3);
  const Bytes good = assemble(pngParts(pixels));
  ASSERT_TRUE(decodePngFast(good, ChannelOrder::BGR).has_value());

  // 16-bit samples, palette: OpenCV's encoder makes them.
  Bytes deep;
  cv::Mat pixels16;
  pixels.convertTo(pixels16, CV_16U, 257.0);
  ASSERT_TRUE(cv::imencode(".png", pixels16, deep));
  EXPECT_FALSE(decodePngFast(deep, ChannelOrder::BGR).has_value());

  // Interlaced (the header says so; the data is not Adam7 but it is never read).
  EXPECT_FALSE(decodePngFast(assemble(pngParts(pixels, -1, 1)), ChannelOrder::BGR).has_value());

  // Transparency and EXIF chunks change what OpenCV returns.
  for (const char* type : {"tRNS", "eXIf"}) {
    PngParts parts = pngParts(pixels);
    appendChunk(parts.beforeImage, type, Bytes(6, 0));
    EXPECT_FALSE(decodePngFast(assemble(parts), ChannelOrder::BGR).has_value()) << type;
  }
  // An unknown critical chunk; an unknown ancillary one is skipped.
  PngParts critical = pngParts(pixels);
  appendChunk(critical.beforeImage, "ABCD", Bytes(3, 1));
  EXPECT_FALSE(decodePngFast(assemble(critical), ChannelOrder::BGR).has_value());
  PngParts ancillary = pngParts(pixels);
  appendChunk(ancillary.beforeImage, "abCD", Bytes(3, 1));
  EXPECT_TRUE(decodePngFast(assemble(ancillary), ChannelOrder::BGR).has_value());

  // A flipped byte in the image data: the CRC no longer matches.
  Bytes corrupt = good;
  corrupt[corrupt.size() - 20] ^= 0x40;
  EXPECT_FALSE(decodePngFast(corrupt, ChannelOrder::BGR).has_value());
  // Cut short: no IEND.
  EXPECT_FALSE(decodePngFast(Bytes(good.begin(), good.end() - 12), ChannelOrder::BGR));
  // A stream one row short, and one with a filter type 5.
  const Bytes filtered = filterRows(pixels);
  for (const bool badFilter : {false, true}) {
    Bytes rows = filtered;
    if (badFilter) {
      rows[0] = 5;
    } else {
      rows.resize(rows.size() - (16 * 3 + 1));
    }
    PngParts parts = pngParts(pixels);
    uLongf size = compressBound(static_cast<uLong>(rows.size()));
    parts.compressed.assign(size, 0);
    ASSERT_EQ(
        compress(parts.compressed.data(), &size, rows.data(), static_cast<uLong>(rows.size())),
        Z_OK);
    parts.compressed.resize(size);
    EXPECT_FALSE(decodePngFast(assemble(parts), ChannelOrder::BGR).has_value()) << badFilter;
  }
  EXPECT_FALSE(decodePngFast({}, ChannelOrder::BGR).has_value());
  EXPECT_FALSE(decodePngFast(Bytes(good.begin(), good.begin() + 30), ChannelOrder::BGR));
}

TEST(PngFast, DecodeImageKeepsOpenCvsErrorsForBrokenFiles) {
  Bytes corrupt = assemble(pngParts(testPattern(16, 8, 3, 5)));
  corrupt[corrupt.size() - 20] ^= 0x40;
  try {
    (void)decodeImage(corrupt, {}, "broken.png", {});
    FAIL() << "a PNG with a bad CRC decoded";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::FileReadFailed);
  }
}

// --- JPEG -------------------------------------------------------------------

// A JPEG of `pixels` with an EXIF block declaring `orientation` after SOI.
Bytes jpegWithOrientation(const cv::Mat& pixels, int orientation) {
  Bytes jpeg;
  EXPECT_TRUE(cv::imencode(".jpg", pixels, jpeg));
  const Bytes tiff = {'I',
                      'I',
                      '*',
                      0,
                      8,
                      0,
                      0,
                      0,  // header, IFD at 8
                      1,
                      0,  // one entry
                      0x12,
                      0x01,
                      3,
                      0,
                      1,
                      0,
                      0,
                      0,  // orientation, SHORT, count 1
                      static_cast<std::uint8_t>(orientation),
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0};  // no next IFD
  Bytes segment = {0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
  segment.insert(segment.end(), tiff.begin(), tiff.end());
  segment[3] = static_cast<std::uint8_t>(segment.size() - 2);
  jpeg.insert(jpeg.begin() + 2, segment.begin(), segment.end());
  return jpeg;
}

TEST(JpegFast, MatchesOpenCvOnEveryJpegPhoto) {
  expectEveryPhotoMatchesOpenCv(decodeJpegFast, {".jpg", ".jpeg"});
}

TEST(JpegFast, LeavesRotatedPhotosToOpenCv) {
  const cv::Mat pixels = testPattern(40, 24, 3, 11);
  const Bytes upright = jpegWithOrientation(pixels, 1);
  EXPECT_EQ(jpegExifOrientation(upright), 1);
  const auto fast = decodeJpegFast(upright, ChannelOrder::BGR);
  ASSERT_TRUE(fast.has_value());
  EXPECT_TRUE(samePixels(*fast, opencvDecode(upright)));

  const Bytes rotated = jpegWithOrientation(pixels, 6);
  EXPECT_EQ(jpegExifOrientation(rotated), 6);
  EXPECT_FALSE(decodeJpegFast(rotated, ChannelOrder::BGR).has_value());
  const DecodedImage decoded =
      decodeImage(rotated, {}, "rotated.jpg", {.order = ChannelOrder::BGR});
  EXPECT_EQ(decoded.width, 24);  // a quarter turn
  EXPECT_TRUE(samePixels(decoded.pixels, opencvDecode(rotated)));
}

TEST(JpegFast, ReadsExifOrientationCarefully) {
  Bytes plain;
  ASSERT_TRUE(cv::imencode(".jpg", testPattern(8, 8, 3, 1), plain));
  EXPECT_EQ(jpegExifOrientation(plain), 1);  // no EXIF at all
  Bytes twoBlocks = jpegWithOrientation(testPattern(8, 8, 3, 1), 1);
  const Bytes again = jpegWithOrientation(testPattern(8, 8, 3, 1), 3);
  twoBlocks.insert(twoBlocks.begin() + 2, again.begin() + 2, again.begin() + 2 + 32);
  EXPECT_EQ(jpegExifOrientation(twoBlocks), std::nullopt);
  Bytes cutShort = jpegWithOrientation(testPattern(8, 8, 3, 1), 8);
  cutShort.resize(20);
  EXPECT_EQ(jpegExifOrientation(cutShort), std::nullopt);
  EXPECT_EQ(jpegExifOrientation({}), std::nullopt);
}

// A CMYK JPEG of `pixels` (4 channels), which OpenCV's encoder cannot make.
Bytes cmykJpeg(const cv::Mat& pixels) {
  jpeg_compress_struct jpeg{};
  jpeg_error_mgr errors{};
  jpeg.err = jpeg_std_error(&errors);  // errors abort the test binary: fine here
  jpeg_create_compress(&jpeg);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&jpeg, &buffer, &size);
  jpeg.image_width = static_cast<JDIMENSION>(pixels.cols);
  jpeg.image_height = static_cast<JDIMENSION>(pixels.rows);
  jpeg.input_components = 4;
  jpeg.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&jpeg);
  jpeg_start_compress(&jpeg, TRUE);
  for (int y = 0; y < pixels.rows; ++y) {
    JSAMPROW row = const_cast<std::uint8_t*>(pixels.ptr<std::uint8_t>(y));
    jpeg_write_scanlines(&jpeg, &row, 1);
  }
  jpeg_finish_compress(&jpeg);
  jpeg_destroy_compress(&jpeg);
  Bytes out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

TEST(JpegFast, ReadsGreyJpegsAsOpenCvDoes) {
  Bytes grey;
  ASSERT_TRUE(cv::imencode(".jpg", testPattern(33, 17, 1, 4), grey));
  const auto fast = decodeJpegFast(grey, ChannelOrder::BGR);
  ASSERT_TRUE(fast.has_value());
  EXPECT_TRUE(samePixels(*fast, opencvDecode(grey)));
}

TEST(JpegFast, LeavesCmykAndCorruptDataToOpenCv) {
  const Bytes cmyk = cmykJpeg(testPattern(32, 32, 4, 2));
  EXPECT_FALSE(decodeJpegFast(cmyk, ChannelOrder::BGR).has_value());
  EXPECT_TRUE(samePixels(decodeImage(cmyk, {}, "cmyk.jpg", {.order = ChannelOrder::BGR}).pixels,
                         opencvDecode(cmyk)));

  // Garbage in the entropy-coded data: libjpeg warns and carries on.
  Bytes corrupt = test::readFileBytes(test::photosDir() / "wonnx_pelican.jpeg");
  for (std::size_t at = corrupt.size() / 2; at < corrupt.size() / 2 + 64; ++at) corrupt[at] = 0x55;
  EXPECT_FALSE(decodeJpegFast(corrupt, ChannelOrder::BGR).has_value());
  EXPECT_TRUE(
      samePixels(decodeImage(corrupt, {}, "corrupt.jpg", {.order = ChannelOrder::BGR}).pixels,
                 opencvDecode(corrupt)));
}

TEST(FastDecode, DecodeImageReportsTheOrderItChose) {
  const Bytes png = test::readFileBytes(test::photosDir() / "skimage_chelsea.png");
  const Bytes jpeg = test::readFileBytes(test::photosDir() / "wonnx_pelican.jpeg");
  const DecodeOptions either{.acceptEitherOrder = true};
  const DecodedImage fromPng = decodeImage(png, {}, "chelsea", either);
  EXPECT_EQ(fromPng.order, ChannelOrder::RGB);
  EXPECT_TRUE(samePixels(fromPng.pixels, toRgb(opencvDecode(png))));
  const DecodedImage fromJpeg = decodeImage(jpeg, {}, "pelican", either);
  EXPECT_EQ(fromJpeg.order, ChannelOrder::BGR);
  EXPECT_TRUE(samePixels(fromJpeg.pixels, opencvDecode(jpeg)));
  for (const ChannelOrder order : {ChannelOrder::RGB, ChannelOrder::BGR}) {
    const DecodedImage asked = decodeImage(png, {}, "chelsea", {.order = order});
    EXPECT_EQ(asked.order, order);
  }
}

}  // namespace
}  // namespace etvision::detail
