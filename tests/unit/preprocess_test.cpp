#include "image/preprocess.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "etvision/error.h"
#include "etvision/model.h"

namespace etvision::detail {
namespace {

// The reference's arithmetic, written out plainly.
float reference(std::uint8_t value, std::size_t channel, const std::optional<Normalization>& norm) {
  float x = static_cast<float>(value) / 255.0f;
  if (norm) x = (x - norm->mean[channel]) / norm->stddev[channel];
  return x;
}

// Planar [3, H, W] expected from an RGB uint8 image already at the target size.
std::vector<float> expectedPlanes(const cv::Mat& rgb, const std::optional<Normalization>& norm) {
  const auto plane = static_cast<std::size_t>(rgb.rows * rgb.cols);
  std::vector<float> out(3 * plane);
  for (int y = 0; y < rgb.rows; ++y) {
    for (int x = 0; x < rgb.cols; ++x) {
      const auto& px = rgb.at<cv::Vec3b>(y, x);
      const auto i = static_cast<std::size_t>(y * rgb.cols + x);
      for (std::size_t c = 0; c < 3; ++c)
        out[c * plane + i] = reference(px[static_cast<int>(c)], c, norm);
    }
  }
  return out;
}

std::vector<float> run(const cv::Mat& rgb, int height, int width,
                       const std::optional<Normalization>& norm) {
  std::vector<float> out(static_cast<std::size_t>(3 * height * width), -1000.0f);
  preprocessToNchw(rgb, height, width, norm, out.data());
  return out;
}

cv::Mat randomImage(int height, int width, int seed) {
  cv::Mat image(height, width, CV_8UC3);
  cv::theRNG().state = static_cast<std::uint64_t>(seed);
  cv::randu(image, 0, 256);
  return image;
}

TEST(Preprocess, IdentitySizeIsExactWithImageNetNormalization) {
  // Every 8-bit value in every channel, no resampling.
  cv::Mat rgb(1, 256, CV_8UC3);
  for (int v = 0; v < 256; ++v) {
    rgb.at<cv::Vec3b>(0, v) =
        cv::Vec3b(static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(255 - v),
                  static_cast<std::uint8_t>((v * 7) % 256));
  }
  const std::optional<Normalization> norm = kImageNetNormalization;
  const auto out = run(rgb, 1, 256, norm);
  const auto expected = expectedPlanes(rgb, norm);
  ASSERT_EQ(out.size(), expected.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    // Bit-identical, not merely close.
    ASSERT_EQ(out[i], expected[i]) << "index " << i;
  }
}

TEST(Preprocess, KnownValuesPlanarRgbOrder) {
  // 2x3 image; pixel (row, col) = (R, G, B).
  cv::Mat rgb(2, 3, CV_8UC3);
  rgb.at<cv::Vec3b>(0, 0) = {255, 0, 0};
  rgb.at<cv::Vec3b>(0, 1) = {0, 255, 0};
  rgb.at<cv::Vec3b>(0, 2) = {0, 0, 255};
  rgb.at<cv::Vec3b>(1, 0) = {51, 102, 153};
  rgb.at<cv::Vec3b>(1, 1) = {0, 0, 0};
  rgb.at<cv::Vec3b>(1, 2) = {255, 255, 255};

  const auto plain = run(rgb, 2, 3, std::nullopt);
  // R plane, then G, then B; each row-major.
  const std::vector<float> expected = {1.0f, 0.0f, 0.0f, 0.2f, 0.0f, 1.0f,   // R
                                       0.0f, 1.0f, 0.0f, 0.4f, 0.0f, 1.0f,   // G
                                       0.0f, 0.0f, 1.0f, 0.6f, 0.0f, 1.0f};  // B
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_FLOAT_EQ(plain[i], expected[i]) << "index " << i;
  }

  const Normalization norm{{0.5f, 0.25f, 0.125f}, {0.5f, 0.25f, 2.0f}};
  const auto normalised = run(rgb, 2, 3, norm);
  EXPECT_FLOAT_EQ(normalised[0], 1.0f);           // R (1 - 0.5) / 0.5
  EXPECT_FLOAT_EQ(normalised[6 + 1], 3.0f);       // G (1 - 0.25) / 0.25
  EXPECT_FLOAT_EQ(normalised[12 + 0], -0.0625f);  // B (0 - 0.125) / 2
  EXPECT_FLOAT_EQ(normalised[12 + 2], 0.4375f);   // B (1 - 0.125) / 2
}

TEST(Preprocess, FailsIfFedBgr) {
  // A reddish image: were it fed in BGR order, plane 0 would hold blue.
  cv::Mat rgb(4, 4, CV_8UC3, cv::Scalar(200, 50, 10));
  const auto out = run(rgb, 4, 4, kImageNetNormalization);
  const float red = (200.0f / 255.0f - 0.485f) / 0.229f;
  const float blue = (10.0f / 255.0f - 0.406f) / 0.225f;
  EXPECT_FLOAT_EQ(out[0], red);
  EXPECT_FLOAT_EQ(out[2 * 16], blue);
  EXPECT_GT(out[0], 0.0f);
  EXPECT_LT(out[2 * 16], 0.0f);
}

TEST(Preprocess, ResizeMatchesOpenCvBilinearOnEightBitImage) {
  const cv::Mat rgb = randomImage(40, 50, 7);
  for (const auto& [height, width] :
       {std::pair{224, 224}, std::pair{20, 30}, std::pair{40, 25}, std::pair{1, 1}}) {
    SCOPED_TRACE(std::to_string(width) + "x" + std::to_string(height));
    cv::Mat resized;
    cv::resize(rgb, resized, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    const auto expected = expectedPlanes(resized, kImageNetNormalization);
    const auto out = run(rgb, height, width, kImageNetNormalization);
    ASSERT_EQ(out, expected);
  }
}

TEST(Preprocess, StretchesWithoutKeepingAspectRatio) {
  // Left half black, right half white; stretched to a square the boundary
  // stays in the middle column-wise (no crop, no letterbox).
  cv::Mat rgb(10, 40, CV_8UC3, cv::Scalar(0, 0, 0));
  rgb(cv::Rect(20, 0, 20, 10)).setTo(cv::Scalar(255, 255, 255));
  const auto out = run(rgb, 8, 8, std::nullopt);
  for (int y = 0; y < 8; ++y) {
    EXPECT_EQ(out[static_cast<std::size_t>(y * 8 + 0)], 0.0f);
    EXPECT_EQ(out[static_cast<std::size_t>(y * 8 + 7)], 1.0f);
  }
}

TEST(Preprocess, AcceptsNonContinuousViews) {
  const cv::Mat big = randomImage(30, 30, 3);
  const cv::Mat view = big(cv::Rect(5, 7, 16, 12));
  ASSERT_FALSE(view.isContinuous());
  EXPECT_EQ(run(view, 12, 16, std::nullopt), expectedPlanes(view.clone(), std::nullopt));
}

TEST(Preprocess, BgrInputIsBitIdenticalToItsRgbConversion) {
  // The task modules feed OpenCV's BGR decode straight in; the result must
  // be exactly the RGB pipeline's, resampled or not, odd sizes included.
  const std::optional<Normalization> norm = kImageNetNormalization;
  for (const auto& [rows, cols, height, width] :
       {std::array{37, 53, 224, 224}, std::array{600, 451, 224, 224},
        std::array{300, 451, 520, 520}, std::array{64, 64, 64, 64}}) {
    const cv::Mat rgb = randomImage(rows, cols, rows * cols);
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<float> fromBgr(static_cast<std::size_t>(3 * height * width), -1000.0f);
    preprocessToNchw(bgr, ChannelOrder::BGR, height, width, norm, fromBgr.data());
    EXPECT_TRUE(fromBgr == run(rgb, height, width, norm)) << rows << "x" << cols;
  }
}

TEST(Preprocess, RejectsBadArguments) {
  const cv::Mat rgb = randomImage(4, 4, 1);
  std::vector<float> out(3 * 16);
  const auto codeOf = [&](auto&& call) {
    try {
      call();
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::UnknownError;
  };
  EXPECT_EQ(codeOf([&] { preprocessToNchw(rgb, 0, 4, std::nullopt, out.data()); }),
            ErrorCode::WrongDimensions);
  EXPECT_EQ(codeOf([&] { preprocessToNchw(rgb, 4, -1, std::nullopt, out.data()); }),
            ErrorCode::WrongDimensions);
  EXPECT_EQ(codeOf([&] { preprocessToNchw(cv::Mat(), 4, 4, std::nullopt, out.data()); }),
            ErrorCode::InvalidUserInput);
  EXPECT_EQ(
      codeOf([&] { preprocessToNchw(cv::Mat(4, 4, CV_8UC4), 4, 4, std::nullopt, out.data()); }),
      ErrorCode::InvalidUserInput);
  EXPECT_EQ(codeOf([&] { preprocessToNchw(rgb, 4, 4, std::nullopt, nullptr); }),
            ErrorCode::InvalidUserInput);
  const Normalization zero{{0, 0, 0}, {1, 0, 1}};
  EXPECT_EQ(codeOf([&] { preprocessToNchw(rgb, 4, 4, zero, out.data()); }),
            ErrorCode::InvalidUserInput);
}

}  // namespace
}  // namespace etvision::detail
