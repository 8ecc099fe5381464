#include "image/preprocess.h"

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "etvision/error.h"
#include "image/scratch_bytes.h"

namespace etvision::detail {
namespace {

// Value -> output float, per channel.
//
// An 8-bit channel has only 256 possible values, so instead of evaluating
// (v / 255.0f - mean) / stddev per pixel - or a fused v * a + b, which rounds
// differently and can be an ulp or two off - the formula is evaluated once
// per value in exactly the reference's float arithmetic and looked up. The
// output is therefore bit-identical to the reference, and the per-pixel loop
// is three L1-resident table loads and three stores. (Building the tables
// costs 768 divisions, nothing next to a resize.)
using ChannelTable = std::array<float, 256>;

std::array<ChannelTable, 3> makeTables(const std::optional<Normalization>& norm) {
  std::array<ChannelTable, 3> tables{};
  for (std::size_t c = 0; c < 3; ++c) {
    for (std::size_t v = 0; v < 256; ++v) {
      float x = static_cast<float>(v) / 255.0f;
      if (norm) x = (x - norm->mean[c]) / norm->stddev[c];
      tables[c][v] = x;
    }
  }
  return tables;
}

}  // namespace

void preprocessToNchw(const cv::Mat& rgb, int height, int width,
                      const std::optional<Normalization>& norm, float* out) {
  preprocessToNchw(rgb, ChannelOrder::RGB, height, width, norm, out);
}

void preprocessToNchw(const cv::Mat& rgb, ChannelOrder order, int height, int width,
                      const std::optional<Normalization>& norm, float* out) {
  if (height <= 0 || width <= 0) {
    throw Error(ErrorCode::WrongDimensions,
                "model input size " + std::to_string(width) + "x" + std::to_string(height) +
                    " is not positive; the model's input must be [1, 3, H, W]");
  }
  if (rgb.empty() || rgb.type() != CV_8UC3) {
    throw Error(ErrorCode::InvalidUserInput,
                "preprocessing needs a non-empty 8-bit 3-channel RGB image");
  }
  if (out == nullptr) {
    throw Error(ErrorCode::InvalidUserInput, "preprocessing output buffer is null");
  }
  if (norm) {
    for (const float s : norm->stddev) {
      if (!(s != 0.0f)) {
        throw Error(ErrorCode::InvalidUserInput,
                    "normalization stddev must be non-zero (got " + std::to_string(s) + ")");
      }
    }
  }

  cv::Mat resized;
  std::optional<ScratchBytes> resizedBytes;
  if (rgb.rows == height && rgb.cols == width) {
    resized = rgb;  // no resampling: the reference's resize is the identity here
  } else {
    // The right size and type already: cv::resize writes into it.
    resizedBytes.emplace(ScratchSlot::ResizedInput,
                         static_cast<std::size_t>(height) * static_cast<std::size_t>(width) * 3);
    resized = cv::Mat(height, width, CV_8UC3, resizedBytes->data());
    try {
      cv::resize(rgb, resized, cv::Size(width, height), 0.0, 0.0, cv::INTER_LINEAR);
    } catch (const cv::Exception& e) {
      throw Error(ErrorCode::InvalidUserInput, "could not resize the image: " + e.err);
    }
  }

  const std::array<ChannelTable, 3> tables = makeTables(norm);
  const std::size_t plane = static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
  // Pixel channel k goes to plane k for RGB, plane 2 - k for BGR.
  const bool bgr = order == ChannelOrder::BGR;
  float* first = bgr ? out + 2 * plane : out;
  float* second = out + plane;
  float* third = bgr ? out : out + 2 * plane;
  const ChannelTable& firstTable = tables[bgr ? 2 : 0];
  const ChannelTable& secondTable = tables[1];
  const ChannelTable& thirdTable = tables[bgr ? 0 : 2];
  for (int y = 0; y < height; ++y) {
    // Row by row: a Mat may be a padded view (ROI) rather than continuous.
    const std::uint8_t* px = resized.ptr<std::uint8_t>(y);
    for (int x = 0; x < width; ++x, px += 3) {
      *first++ = firstTable[px[0]];
      *second++ = secondTable[px[1]];
      *third++ = thirdTable[px[2]];
    }
  }
}

}  // namespace etvision::detail
