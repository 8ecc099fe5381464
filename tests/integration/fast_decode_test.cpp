// The opt-in reduced JPEG decode (ClassifyOptions::fastDecode,
// SegmentOptions::fastDecode, DecodeOptions::reduceToward) on real photos
// enlarged to camera sizes: which scale it picks, that it reports the full
// image size, that it leaves other formats and small images alone, and that
// MobileNetV2's answer survives it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "etvision/etvision.h"
#include "image/decode.h"
#include "support/test_files.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

// `photo` stretched to width x height and encoded as `extension`.
std::vector<std::uint8_t> enlarged(const char* photo, int width, int height,
                                   const char* extension) {
  const cv::Mat image = cv::imread((test::photosDir() / photo).string(), cv::IMREAD_COLOR);
  cv::Mat large;
  cv::resize(image, large, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
  std::vector<std::uint8_t> bytes;
  cv::imencode(extension, large, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
  return bytes;
}

TEST(FastDecode, PicksTheLargestScaleThatStaysAboveTheTarget) {
  const auto jpeg = enlarged("wonnx_pelican.jpeg", 2000, 1500, ".jpg");
  struct Case {
    int target;
    int expectedWidth;
    int expectedHeight;
  };
  // 1500 / 4 = 375 >= 224 but 1500 / 8 < 224: quarter scale. 1500 / 2 = 750
  // >= 520: half scale. 1500 / 2 < 1000: full decode.
  for (const Case c : {Case{224, 500, 375}, Case{520, 1000, 750}, Case{1000, 2000, 1500}}) {
    const detail::DecodedImage image = detail::decodeImage(
        jpeg, {}, "enlarged pelican", {.reduceToward = cv::Size(c.target, c.target)});
    EXPECT_EQ(image.pixels.cols, c.expectedWidth) << c.target;
    EXPECT_EQ(image.pixels.rows, c.expectedHeight) << c.target;
    EXPECT_EQ(image.width, 2000) << c.target;
    EXPECT_EQ(image.height, 1500) << c.target;
  }
}

TEST(FastDecode, OtherFormatsAndSmallPhotosDecodeInFull) {
  const auto png = enlarged("skimage_chelsea.png", 1804, 1200, ".png");
  const auto full = detail::decodeImage(png, {}, "png", {});
  const auto fast = detail::decodeImage(png, {}, "png", {.reduceToward = cv::Size(224, 224)});
  EXPECT_EQ(fast.pixels.size(), cv::Size(1804, 1200));
  EXPECT_EQ(cv::norm(full.pixels, fast.pixels, cv::NORM_INF), 0.0);

  const auto small = test::readFileBytes(test::photosDir() / "wonnx_pelican.jpeg");  // 500x375
  const auto smallFast =
      detail::decodeImage(small, {}, "pelican", {.reduceToward = cv::Size(224, 224)});
  EXPECT_EQ(smallFast.pixels.size(), cv::Size(500, 375));
}

TEST(FastDecode, ClassificationKeepsTheFullSizeAndTheAnswer) {
  ClassificationModule classifier;
  classifier.load(MOBILENET_V2);
  // A confident photo (pelican, p ~ 1.0); the low-confidence rocket is the
  // one photo whose top-1 moves (see the agreement test below).
  const auto jpeg = enlarged("wonnx_pelican.jpeg", 4032, 3024, ".jpg");
  const ImageSource source = ImageSource::fromEncoded(jpeg);
  const Classification full = classifier.classify(source, {.maxResults = 1});
  const Classification fast = classifier.classify(source, {.maxResults = 1, .fastDecode = true});
  EXPECT_EQ(fast.imageWidth, 4032);
  EXPECT_EQ(fast.imageHeight, 3024);
  EXPECT_EQ(fast.categories.at(0).index, full.categories.at(0).index);
  // Different pixels, so not bit-identical: the option does something.
  EXPECT_NE(fast.logits, full.logits);

  // The batch call honours it the same way.
  const std::vector<ImageSource> sources{source};
  const auto items = classifier.classifyBatch(sources, {.maxResults = 1, .fastDecode = true});
  ASSERT_TRUE(items.at(0).ok());
  EXPECT_EQ(items[0].result->logits, fast.logits);
}

TEST(FastDecode, MobileNetTopOneAgreesOnEnlargedPhotos) {
  // Every bundled photo as a 12 MP camera JPEG, classified with and without
  // the reduced decode (1/8 scale here): the answer should rarely move.
  ClassificationModule classifier;
  classifier.load(MOBILENET_V2);
  int photos = 0;
  int agreeing = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::photosDir())) {
    if (entry.path().extension() == ".md") continue;
    const std::string name = entry.path().filename().string();
    const ImageSource source = ImageSource::fromEncoded(enlarged(name.c_str(), 4032, 3024, ".jpg"));
    const int full = classifier.classify(source, {.maxResults = 1}).categories.at(0).index;
    const int fast =
        classifier.classify(source, {.maxResults = 1, .fastDecode = true}).categories.at(0).index;
    ++photos;
    if (full == fast) {
      ++agreeing;
    } else {
      std::cout << "[ figures  ] " << name << ": top-1 " << full << " full, " << fast << " fast\n";
    }
  }
  EXPECT_EQ(photos, 10);
  std::cout << "[ figures  ] top-1 agreement with fastDecode on 4032x3024 JPEGs: " << agreeing
            << "/" << photos << "\n";
  EXPECT_GE(agreeing, 8);
}

TEST(FastDecode, SegmentationMapsStillCoverTheFullImage) {
  ImageSegmentationModule segmenter;
  segmenter.load(MEDIAPIPE_SELFIE);
  const auto jpeg = enlarged("mpl_grace_hopper.jpg", 2048, 2400, ".jpg");
  SegmentOptions options;
  options.resize = true;
  options.fastDecode = true;
  const Segmentation result = segmenter.segment(ImageSource::fromEncoded(jpeg), options);
  EXPECT_EQ(result.width, 2048);
  EXPECT_EQ(result.height, 2400);
  EXPECT_EQ(result.argmax.size(), std::size_t{2048} * 2400);
}

}  // namespace
}  // namespace etvision
