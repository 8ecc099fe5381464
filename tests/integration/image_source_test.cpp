// Reading images from every kind of ImageSource: the same photo must give
// the same pixels whichever way it arrives, and every kind of bad input must
// fail with its documented error code and a message naming the problem.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "etvision/error.h"
#include "etvision/image_source.h"
#include "image/base64.h"
#include "image/image_loader.h"
#include "support/http_test_server.h"
#include "support/test_files.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using test::photosDir;
using test::TempDir;

void writeText(const fs::path& path, std::string_view text) {
  test::writeFileBytes(path, Bytes(text.begin(), text.end()));
}

// RFC 3986 percent-encoding of a path for a file:// URI ('/' kept).
std::string fileUri(const fs::path& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file://";
  for (const char c : path.string()) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      uri += c;
    } else {
      uri += '%';
      uri += kHex[byte >> 4];
      uri += kHex[byte & 15];
    }
  }
  return uri;
}

cv::Mat load(const ImageSource& source, const ImageReadLimits& limits = {}) {
  return detail::loadRgbImage(source, limits);
}

// The image OpenCV decodes directly, converted to RGB: what every source
// of the same photo must match.
cv::Mat referenceRgb(const fs::path& path) {
  cv::Mat bgr = cv::imread(path.string(), cv::IMREAD_COLOR);
  EXPECT_FALSE(bgr.empty()) << path;
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

::testing::AssertionResult samePixels(const cv::Mat& actual, const cv::Mat& expected) {
  if (actual.type() != CV_8UC3) {
    return ::testing::AssertionFailure() << "type " << actual.type() << ", not CV_8UC3";
  }
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure() << "size " << actual.cols << "x" << actual.rows
                                         << ", expected " << expected.cols << "x" << expected.rows;
  }
  const double diff = cv::norm(actual, expected, cv::NORM_INF);
  if (diff != 0) return ::testing::AssertionFailure() << "max pixel difference " << diff;
  return ::testing::AssertionSuccess();
}

struct Failure {
  ErrorCode code;
  std::string message;
};

template <typename F>
std::optional<Failure> failureOf(F&& call) {
  try {
    call();
  } catch (const Error& e) {
    return Failure{e.code(), e.what()};
  }
  return std::nullopt;
}

// Loading `source` fails with `code` and a message containing every part.
void expectFailure(const ImageSource& source, ErrorCode code,
                   std::initializer_list<std::string_view> parts,
                   const ImageReadLimits& limits = {}) {
  const auto failure = failureOf([&] { load(source, limits); });
  ASSERT_TRUE(failure.has_value()) << source.describe() << " loaded without error";
  EXPECT_EQ(failure->code, code) << errorCodeName(failure->code) << ": " << failure->message;
  for (const auto part : parts) {
    EXPECT_NE(failure->message.find(part), std::string::npos)
        << "message lacks \"" << part << "\": " << failure->message;
  }
}

std::string dataUri(std::string_view mediaType, const Bytes& bytes) {
  return "data:" + std::string(mediaType) + ";base64," + detail::encodeBase64(bytes);
}

// A JPEG with an EXIF APP1 segment holding only an Orientation tag, inserted
// right after SOI.
Bytes withExifOrientation(const Bytes& jpeg, std::uint8_t orientation) {
  // clang-format off
  const Bytes app1{
      0xFF, 0xE1, 0x00, 0x22,              // APP1, length 34
      'E', 'x', 'i', 'f', 0, 0,            // EXIF identifier
      'M', 'M', 0x00, 0x2A, 0, 0, 0, 8,    // big-endian TIFF, IFD at offset 8
      0x00, 0x01,                          // one entry
      0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1,  // Orientation, SHORT, count 1
      0x00, orientation, 0, 0,             // value
      0, 0, 0, 0};                         // no next IFD
  // clang-format on
  Bytes out = jpeg;
  out.insert(out.begin() + 2, app1.begin(), app1.end());
  return out;
}

class ImageSourceTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

// --- the same photo through every kind of source -----------------------------

TEST_F(ImageSourceTest, EveryStringKindGivesTheSamePixels) {
  for (const char* name : {"wonnx_pelican.jpeg", "winml_kitten_224.png", "skimage_chelsea.png"}) {
    SCOPED_TRACE(name);
    const fs::path photo = photosDir() / name;
    const cv::Mat expected = referenceRgb(photo);
    const Bytes bytes = test::readFileBytes(photo);

    // A copy under a name with a space and a non-ASCII letter.
    const fs::path odd = dir_.path() / (std::string("my photé ") + name);
    test::writeFileBytes(odd, bytes);
    const std::string base64 = detail::encodeBase64(bytes);

    EXPECT_TRUE(samePixels(load(photo.string()), expected)) << "path";
    EXPECT_TRUE(samePixels(load(photo.c_str()), expected)) << "const char* path";
    EXPECT_TRUE(samePixels(load(odd.string()), expected)) << "path with a space";
    EXPECT_TRUE(samePixels(load(fileUri(photo)), expected)) << "file:// URI";
    EXPECT_TRUE(samePixels(load(fileUri(odd)), expected)) << "file:// URI with %20";
    EXPECT_NE(fileUri(odd).find("%20"), std::string::npos);
    EXPECT_TRUE(samePixels(load("file://localhost" + photo.string()), expected)) << "localhost";
    EXPECT_TRUE(samePixels(load(dataUri("image/png", bytes)), expected)) << "data URI";
    EXPECT_TRUE(samePixels(load("DATA:IMAGE/JPEG;BASE64," + base64), expected))
        << "data URI, upper case";
    EXPECT_TRUE(samePixels(load(dataUri("application/octet-stream", bytes)), expected))
        << "octet-stream data URI";
    EXPECT_TRUE(samePixels(load(base64), expected)) << "raw base64";
    EXPECT_TRUE(samePixels(load(ImageSource::fromEncoded(bytes)), expected)) << "encoded";
  }
}

TEST_F(ImageSourceTest, Base64VariantsDecodeToTheSamePixels) {
  const fs::path photo = photosDir() / "opencv_messi5.jpg";
  const cv::Mat expected = referenceRgb(photo);
  const std::string base64 = detail::encodeBase64(test::readFileBytes(photo));

  std::string wrapped;  // MIME style, 76 columns
  for (std::size_t i = 0; i < base64.size(); i += 76) wrapped += base64.substr(i, 76) + "\r\n";
  std::string urlSafe = base64;
  std::string percentEncoded;
  for (char& c : urlSafe) c = c == '+' ? '-' : c == '/' ? '_' : c;
  for (const char c : base64) {
    percentEncoded += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
  }
  std::string unpadded = base64;
  while (unpadded.back() == '=') unpadded.pop_back();

  EXPECT_TRUE(samePixels(load(wrapped), expected)) << "wrapped";
  EXPECT_TRUE(samePixels(load(urlSafe), expected)) << "URL-safe";
  EXPECT_TRUE(samePixels(load(unpadded), expected)) << "unpadded";
  EXPECT_TRUE(samePixels(load("data:image/jpeg;base64," + percentEncoded), expected))
      << "percent-encoded data URI";
  EXPECT_TRUE(samePixels(load("data:image/jpeg;name=x.jpg;base64," + wrapped), expected))
      << "data URI with a parameter";
}

TEST_F(ImageSourceTest, EveryPhotoDecodesAsRgbLikeOpenCv) {
  for (const auto& entry : fs::directory_iterator(photosDir())) {
    if (entry.path().extension() == ".md") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const cv::Mat rgb = load(entry.path().string());
    const cv::Mat bgr = cv::imread(entry.path().string(), cv::IMREAD_COLOR);
    ASSERT_TRUE(samePixels(rgb, referenceRgb(entry.path())));
    // Channel order: RGB, the reverse of OpenCV's native BGR.
    const cv::Vec3b a = rgb.at<cv::Vec3b>(rgb.rows / 2, rgb.cols / 3);
    const cv::Vec3b b = bgr.at<cv::Vec3b>(rgb.rows / 2, rgb.cols / 3);
    EXPECT_EQ(a, cv::Vec3b(b[2], b[1], b[0]));
  }
}

TEST_F(ImageSourceTest, AlphaIsDroppedAndGreyExpanded) {
  cv::Mat bgra(5, 7, CV_8UC4, cv::Scalar(10, 20, 30, 0));  // fully transparent
  Bytes png;
  ASSERT_TRUE(cv::imencode(".png", bgra, png));
  const cv::Mat fromAlpha = load(ImageSource::fromEncoded(png));
  EXPECT_TRUE(samePixels(fromAlpha, cv::Mat(5, 7, CV_8UC3, cv::Scalar(30, 20, 10))));

  cv::Mat grey(4, 6, CV_8UC1, cv::Scalar(77));
  ASSERT_TRUE(cv::imencode(".png", grey, png));
  EXPECT_TRUE(samePixels(load(ImageSource::fromEncoded(png)),
                         cv::Mat(4, 6, CV_8UC3, cv::Scalar(77, 77, 77))));

  cv::Mat deep(3, 3, CV_16UC3, cv::Scalar(0, 32768, 65535));  // 16-bit PNG -> 8-bit
  ASSERT_TRUE(cv::imencode(".png", deep, png));
  const cv::Mat fromDeep = load(ImageSource::fromEncoded(png));
  EXPECT_EQ(fromDeep.type(), CV_8UC3);
  EXPECT_EQ(fromDeep.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 128, 0));
}

TEST_F(ImageSourceTest, PixelBuffersGiveTheSamePixels) {
  const cv::Mat rgb = referenceRgb(photosDir() / "skimage_coffee.png");
  const int w = rgb.cols;
  const int h = rgb.rows;

  // Each format with rows padded to a stride that is not a multiple of 4.
  struct Case {
    PixelFormat format;
    int code;  // conversion from RGB to that format (-1: none)
    int channels;
  };
  for (const Case c :
       {Case{PixelFormat::RGB, -1, 3}, Case{PixelFormat::RGBA, cv::COLOR_RGB2RGBA, 4},
        Case{PixelFormat::BGR, cv::COLOR_RGB2BGR, 3},
        Case{PixelFormat::BGRA, cv::COLOR_RGB2BGRA, 4}}) {
    cv::Mat converted;
    if (c.code < 0) {
      converted = rgb;
    } else {
      cv::cvtColor(rgb, converted, c.code);
    }
    const std::size_t stride = static_cast<std::size_t>(w * c.channels) + 13;
    Bytes padded(stride * static_cast<std::size_t>(h), 0xAB);
    for (int y = 0; y < h; ++y) {
      std::memcpy(padded.data() + stride * static_cast<std::size_t>(y), converted.ptr(y),
                  static_cast<std::size_t>(w * c.channels));
    }
    PixelBuffer buffer{padded.data(), w, h, stride, c.format};
    const ImageSource source = ImageSource::fromPixels(buffer);
    const cv::Mat loaded = load(source);
    EXPECT_TRUE(samePixels(loaded, rgb)) << source.describe();
    EXPECT_NE(loaded.data, padded.data());  // a copy, not a view of the borrowed buffer

    // Tightly packed (strideBytes 0) too.
    const cv::Mat packed = converted.clone();
    buffer = PixelBuffer{packed.data, w, h, 0, c.format};
    EXPECT_TRUE(samePixels(load(ImageSource::fromPixels(buffer)), rgb)) << source.describe();
  }

  cv::Mat grey;
  cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
  cv::Mat greyRgb;
  cv::cvtColor(grey, greyRgb, cv::COLOR_GRAY2RGB);
  EXPECT_TRUE(
      samePixels(load(ImageSource::fromPixels({grey.data, w, h, 0, PixelFormat::Gray})), greyRgb));
}

TEST_F(ImageSourceTest, ExifOrientationIsApplied) {
  // Four quadrants of distinct colours, wider than tall.
  cv::Mat bgr(40, 64, CV_8UC3, cv::Scalar(0, 0, 255));
  bgr(cv::Rect(32, 0, 32, 20)).setTo(cv::Scalar(0, 255, 0));
  bgr(cv::Rect(0, 20, 32, 20)).setTo(cv::Scalar(255, 0, 0));
  bgr(cv::Rect(32, 20, 32, 20)).setTo(cv::Scalar(255, 255, 255));
  Bytes jpeg;
  ASSERT_TRUE(cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 95}));
  const cv::Mat upright = load(ImageSource::fromEncoded(jpeg));
  ASSERT_EQ(upright.size(), cv::Size(64, 40));

  const struct {
    std::uint8_t orientation;
    int rotation;
  } cases[] = {
      {3, cv::ROTATE_180}, {6, cv::ROTATE_90_CLOCKWISE}, {8, cv::ROTATE_90_COUNTERCLOCKWISE}};
  for (const auto& c : cases) {
    SCOPED_TRACE("orientation " + std::to_string(c.orientation));
    cv::Mat expected;
    cv::rotate(upright, expected, c.rotation);
    const Bytes tagged = withExifOrientation(jpeg, c.orientation);
    EXPECT_TRUE(samePixels(load(ImageSource::fromEncoded(tagged)), expected));
    const fs::path file = dir_.path() / "rotated.jpg";
    test::writeFileBytes(file, tagged);
    EXPECT_TRUE(samePixels(load(file.string()), expected));
  }
}

TEST_F(ImageSourceTest, DescribeNamesTheSource) {
  EXPECT_EQ(ImageSource("photo.jpg").describe(), "photo.jpg");
  EXPECT_EQ(ImageSource("data:image/png;base64,AAAA").describe(), "data URI (26 bytes)");
  EXPECT_EQ(ImageSource::fromEncoded(Bytes(12345)).describe(), "encoded image (12345 bytes)");
  const std::uint8_t pixel[3] = {};
  EXPECT_EQ(ImageSource::fromPixels({pixel, 640, 480, 0, PixelFormat::RGBA}).describe(),
            "pixel buffer 640x480 RGBA");
  const std::string longBase64(4000, 'A');
  EXPECT_EQ(ImageSource(longBase64).describe(), "base64 string (4000 bytes)");
  const std::string longPath = "/" + std::string(1000, 'x') + ".jpg";
  EXPECT_LT(ImageSource(longPath).describe().size(), 200u);
}

// --- every bad input: its code and a message that names the problem ----------

TEST_F(ImageSourceTest, MissingFile) {
  const std::string missing = (dir_.path() / "missing.jpg").string();
  expectFailure(missing, ErrorCode::FileReadFailed, {missing, "does not exist"});
  expectFailure(fileUri(dir_.path() / "missing file.jpg"), ErrorCode::FileReadFailed,
                {"missing file.jpg", "does not exist"});
  // Valid base64 by accident, but no image: still reported as a missing path.
  expectFailure("photos/cat", ErrorCode::FileReadFailed, {"photos/cat", "does not exist"});
}

TEST_F(ImageSourceTest, DirectoryEmptyAndOversizedFiles) {
  expectFailure(dir_.path().string(), ErrorCode::FileReadFailed, {"is a directory"});
  expectFailure(fileUri(dir_.path()), ErrorCode::FileReadFailed, {"is a directory"});

  const fs::path empty = dir_.path() / "empty.png";
  test::writeFileBytes(empty, {});
  expectFailure(empty.string(), ErrorCode::FileReadFailed, {"empty.png", "is empty"});

  ImageReadLimits small;
  small.maxEncodedBytes = 1000;
  const std::string photo = (photosDir() / "opencv_messi5.jpg").string();
  expectFailure(photo, ErrorCode::InvalidUserInput,
                {"opencv_messi5.jpg", "1000 bytes", "maxEncodedBytes"}, small);
  expectFailure(ImageSource::fromEncoded(test::readFileBytes(photo)), ErrorCode::InvalidUserInput,
                {"maxEncodedBytes"}, small);
  expectFailure(dataUri("image/jpeg", test::readFileBytes(photo)), ErrorCode::InvalidUserInput,
                {"data URI", "maxEncodedBytes"}, small);
  expectFailure(detail::encodeBase64(test::readFileBytes(photo)), ErrorCode::InvalidUserInput,
                {"base64 string", "maxEncodedBytes"}, small);
}

TEST_F(ImageSourceTest, TruncatedJpeg) {
  Bytes jpeg = test::readFileBytes(photosDir() / "mpl_grace_hopper.jpg");
  jpeg.resize(jpeg.size() * 2 / 3);
  const fs::path file = dir_.path() / "cut.jpg";
  test::writeFileBytes(file, jpeg);
  expectFailure(file.string(), ErrorCode::FileReadFailed, {"cut.jpg", "truncated"});
  expectFailure(ImageSource::fromEncoded(jpeg), ErrorCode::FileReadFailed, {"truncated"});
}

TEST_F(ImageSourceTest, TruncatedPng) {
  Bytes png = test::readFileBytes(photosDir() / "skimage_chelsea.png");
  png.resize(png.size() / 2);
  expectFailure(ImageSource::fromEncoded(png), ErrorCode::FileReadFailed,
                {"could not decode", "PNG"});
}

TEST_F(ImageSourceTest, AbsurdDimensionsAreRefusedBeforeDecoding) {
  const Bytes png = test::pngDeclaring(100000, 100000);
  expectFailure(ImageSource::fromEncoded(png), ErrorCode::InvalidUserInput,
                {"100000x100000", "PNG", "maxPixels"});
  const fs::path file = dir_.path() / "huge.png";
  test::writeFileBytes(file, png);
  expectFailure(file.string(), ErrorCode::InvalidUserInput, {"huge.png", "100000x100000"});

  // The limit is the caller's: a real photo over a small limit.
  ImageReadLimits tiny;
  tiny.maxPixels = 1000;
  expectFailure((photosDir() / "winml_kitten_224.png").string(), ErrorCode::InvalidUserInput,
                {"224x224", "50176 pixels", "maxPixels"}, tiny);
  const std::uint8_t pixel[3] = {};
  expectFailure(ImageSource::fromPixels({pixel, 100, 100, 0, PixelFormat::RGB}),
                ErrorCode::InvalidUserInput, {"maxPixels"}, tiny);
}

TEST_F(ImageSourceTest, BytesThatAreNotAnImage) {
  const std::string html = "<!DOCTYPE html><html><body>Not found</body></html>";
  expectFailure(ImageSource::fromEncoded(Bytes(html.begin(), html.end())),
                ErrorCode::FileReadFailed, {"could not decode", "<!DOCTYPE html"});
  expectFailure(ImageSource::fromEncoded(Bytes{0x00, 0x01, 0x02, 0x03, 0xFE}),
                ErrorCode::FileReadFailed, {"could not decode", "00 01 02 03 FE"});
  expectFailure(ImageSource::fromEncoded({}), ErrorCode::FileReadFailed, {"empty"});

  const fs::path text = dir_.path() / "notes.jpg";
  writeText(text, "just some text, whatever the extension says");
  expectFailure(text.string(), ErrorCode::FileReadFailed, {"notes.jpg", "could not decode"});

  // Long, valid base64 whose bytes are no image.
  const std::string base64 = detail::encodeBase64(Bytes(3000, 0x42));
  expectFailure(base64, ErrorCode::FileReadFailed, {"base64 string", "not in any supported"});
}

TEST_F(ImageSourceTest, InvalidBase64AndDataUris) {
  expectFailure("data:image/png;base64,iVBORw0KGgo@@@", ErrorCode::InvalidUserInput,
                {"data URI", "not valid base64"});
  expectFailure("data:image/png;base64,Zg=", ErrorCode::InvalidUserInput, {"not valid base64"});
  expectFailure("data:image/png;base64,", ErrorCode::InvalidUserInput, {"empty"});
  expectFailure("data:text/plain;base64,aGVsbG8=", ErrorCode::InvalidUserInput,
                {"text/plain", "not an image"});
  expectFailure("data:image/png,%89PNG", ErrorCode::InvalidUserInput,
                {"only base64 data URIs are supported"});
  expectFailure("data:image/png;base64", ErrorCode::InvalidUserInput, {"','"});
  expectFailure("data:image/png;base64,AAAA,AAAA", ErrorCode::InvalidUserInput,
                {"more than one ','"});
  expectFailure("data:image/png;base64,%ZZ", ErrorCode::InvalidUserInput, {"%-escape"});
  // Raw text that is neither a file nor base64.
  expectFailure("not base64!", ErrorCode::FileReadFailed, {"does not exist"});
}

TEST_F(ImageSourceTest, UnsupportedSchemesAndEmptySource) {
  expectFailure("ftp://example.com/cat.jpg", ErrorCode::InvalidUserInput,
                {"unsupported URI scheme 'ftp'", "http(s)://", "file://", "base64"});
  expectFailure("s3://bucket/cat.jpg", ErrorCode::InvalidUserInput, {"'s3'"});
  expectFailure("file://remote-host/cat.jpg", ErrorCode::InvalidUserInput, {});
  expectFailure("", ErrorCode::InvalidUserInput, {"empty string"});
  expectFailure(std::string("photo.jpg\0.png", 14), ErrorCode::InvalidUserInput, {"NUL"});
}

TEST_F(ImageSourceTest, BadPixelBuffers) {
  const Bytes pixels(64 * 64 * 4, 0);
  expectFailure(ImageSource::fromPixels({nullptr, 4, 4, 0, PixelFormat::RGB}),
                ErrorCode::InvalidUserInput, {"pixel buffer 4x4 RGB", "null"});
  expectFailure(ImageSource::fromPixels({pixels.data(), 0, 4, 0, PixelFormat::RGB}),
                ErrorCode::InvalidUserInput, {"0x4", "positive"});
  expectFailure(ImageSource::fromPixels({pixels.data(), 4, -2, 0, PixelFormat::RGB}),
                ErrorCode::InvalidUserInput, {"positive"});
  expectFailure(ImageSource::fromPixels({pixels.data(), 10, 4, 39, PixelFormat::RGBA}),
                ErrorCode::InvalidUserInput, {"strideBytes 39", "40 bytes"});
  expectFailure(ImageSource::fromPixels({pixels.data(), 4, 4, 0, static_cast<PixelFormat>(42)}),
                ErrorCode::InvalidUserInput, {"PixelFormat"});
}

// --- over HTTP -----------------------------------------------------------------

class ImageOverHttpTest : public ImageSourceTest {
 protected:
  void SetUp() override {
    fs::copy_file(photosDir() / "wonnx_pelican.jpeg", dir_.path() / "pelican.jpeg");
    writeText(dir_.path() / "page.html", "<!DOCTYPE html>\n<html><body>Hello</body></html>\n");
    server_.emplace(dir_.path());
  }
  std::optional<test::HttpTestServer> server_;
};

TEST_F(ImageOverHttpTest, DownloadGivesTheSamePixels) {
  const cv::Mat expected = referenceRgb(photosDir() / "wonnx_pelican.jpeg");
  EXPECT_TRUE(samePixels(load(server_->url("/pelican.jpeg")), expected));
  // The Content-Type does not matter; the bytes do.
  EXPECT_TRUE(samePixels(load(server_->url("/pelican.jpeg?content_type=text/plain")), expected));
}

TEST_F(ImageOverHttpTest, HttpErrorStatus) {
  const std::string url = server_->url("/pelican.jpeg?status=404");
  expectFailure(url, ErrorCode::FileReadFailed, {"404"});
  expectFailure(server_->url("/no-such-image.jpg"), ErrorCode::FileReadFailed, {"404"});
}

TEST_F(ImageOverHttpTest, HtmlInsteadOfAnImage) {
  expectFailure(server_->url("/page.html?content_type=text/html"), ErrorCode::FileReadFailed,
                {"page.html", "could not decode", "<!DOCTYPE html"});
}

TEST_F(ImageOverHttpTest, LimitsApply) {
  ImageReadLimits small;
  small.maxEncodedBytes = 1000;
  const auto failure = failureOf([&] { load(server_->url("/pelican.jpeg"), small); });
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->code, ErrorCode::FileReadFailed) << failure->message;

  // The server holds the body back for 5 s and then sends it: only the
  // 300 ms limit can make this fail, and the message names it.
  ImageReadLimits impatient;
  impatient.httpTimeout = std::chrono::milliseconds(300);
  const auto slow = failureOf([&] { load(server_->url("/pelican.jpeg?stall=5"), impatient); });
  ASSERT_TRUE(slow.has_value());
  EXPECT_EQ(slow->code, ErrorCode::FileReadFailed) << slow->message;
  // Whichever of the whole-transfer and the stall limit (both 300 ms here)
  // fires first.
  EXPECT_TRUE(slow->message.find("timed out") != std::string::npos ||
              slow->message.find("stall timeout") != std::string::npos)
      << slow->message;
}

}  // namespace
}  // namespace etvision

namespace etvision {
namespace {

// --- explicit sources: nothing is guessed -----------------------------------------

TEST_F(ImageSourceTest, ExplicitSourcesGiveTheSamePixels) {
  const fs::path photo = photosDir() / "skimage_chelsea.png";
  const cv::Mat expected = referenceRgb(photo);
  const Bytes bytes = test::readFileBytes(photo);
  EXPECT_TRUE(samePixels(load(ImageSource::fromPath(photo)), expected));
  EXPECT_TRUE(samePixels(load(ImageSource::fromBytes(bytes)), expected));
  EXPECT_TRUE(samePixels(load(ImageSource::fromBase64(detail::encodeBase64(bytes))), expected));
  EXPECT_TRUE(samePixels(load(ImageSource::fromBase64(dataUri("image/png", bytes))), expected));
}

TEST_F(ImageSourceTest, FromPathReadsFilesWhoseNamesLookLikeOtherSources) {
  const Bytes bytes = test::readFileBytes(photosDir() / "winml_kitten_224.png");
  const cv::Mat expected = referenceRgb(photosDir() / "winml_kitten_224.png");
  // As strings these would be a data URI, a URL and base64; as paths they
  // are files in this directory.
  for (const char* name : {"data:image", "http:", "QUJD"}) {
    SCOPED_TRACE(name);
    const fs::path file = dir_.path() / name;
    test::writeFileBytes(file, bytes);
    EXPECT_TRUE(samePixels(load(ImageSource::fromPath(file)), expected));
  }
  expectFailure(ImageSource::fromPath(dir_.path() / "missing.png"), ErrorCode::FileReadFailed,
                {"missing.png", "does not exist"});
}

TEST_F(ImageSourceTest, FromUrlAndFromBase64RefuseWhatTheyAreNot) {
  const fs::path photo = photosDir() / "wonnx_pelican.jpeg";
  // A path given as a URL is not read from disk.
  expectFailure(ImageSource::fromUrl(photo.string()), ErrorCode::InvalidUserInput,
                {"fromUrl", "http://", "fromPath"});
  expectFailure(ImageSource::fromUrl("ftp://example.com/a.png"), ErrorCode::InvalidUserInput,
                {"fromUrl"});
  // An existing path given as base64 is not read from disk either.
  expectFailure(ImageSource::fromBase64(photo.string()), ErrorCode::InvalidUserInput,
                {"not base64"});
  expectFailure(ImageSource::fromBase64(detail::encodeBase64(Bytes{'h', 'e', 'l', 'l', 'o'})),
                ErrorCode::FileReadFailed, {"not in any supported image format"});
}

TEST_F(ImageOverHttpTest, FromUrlDownloads) {
  const cv::Mat expected = referenceRgb(photosDir() / "wonnx_pelican.jpeg");
  EXPECT_TRUE(samePixels(load(ImageSource::fromUrl(server_->url("/pelican.jpeg"))), expected));
  expectFailure(ImageSource::fromUrl(server_->url("/missing.jpg")), ErrorCode::FileReadFailed,
                {"404"});
}

}  // namespace
}  // namespace etvision
