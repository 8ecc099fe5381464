#include "etvision/overlay.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

#include "etvision/error.h"
#include "image/image_loader.h"
#include "render/palette.h"
#include "render/palette_png.h"
#include "tasks/pixel_classes.h"

namespace etvision {

namespace {

/// The class of every photo pixel. With every probability map at hand the
/// maps are upsampled one at a time (bilinear) and the running maximum kept,
/// which gives smooth region edges at the cost of two float planes.
cv::Mat labelMapAtImageSize(const Segmentation& segmentation, int width, int height) {
  const auto& labels = *segmentation.labels;
  const bool haveEveryClass = segmentation.probabilities.size() == labels.size();
  cv::Mat classes(height, width, CV_32SC1);
  if (!haveEveryClass) {
    const auto resized = detail::resizeClassMap(segmentation.argmax, segmentation.width,
                                                segmentation.height, width, height);
    std::copy(resized.begin(), resized.end(), classes.ptr<std::int32_t>());
    return classes;
  }
  cv::Mat best(height, width, CV_32FC1, cv::Scalar(-1.0f));
  cv::Mat upsampled;
  for (std::size_t c = 0; c < labels.size(); ++c) {
    const auto& map = segmentation.probabilities.at(labels[c]);
    const cv::Mat source(segmentation.height, segmentation.width, CV_32FC1,
                         const_cast<float*>(map.data()));
    cv::resize(source, upsampled, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    for (int y = 0; y < height; ++y) {
      const float* p = upsampled.ptr<float>(y);
      float* b = best.ptr<float>(y);
      std::int32_t* k = classes.ptr<std::int32_t>(y);
      for (int x = 0; x < width; ++x) {
        if (p[x] > b[x]) {
          b[x] = p[x];
          k[x] = static_cast<std::int32_t>(c);
        }
      }
    }
  }
  return classes;
}

std::string displayName(const std::string& label) {
  std::string name = label;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

cv::Scalar bgr(const detail::Rgb& rgb) {
  return cv::Scalar(rgb[2], rgb[1], rgb[0]);
}

void drawLegend(cv::Mat& canvas, const std::vector<std::string>& labels,
                const std::vector<double>& shares) {
  std::vector<std::size_t> present;
  for (std::size_t c = 1; c < labels.size(); ++c) {
    if (shares[c] > 0.0) present.push_back(c);
  }
  std::sort(present.begin(), present.end(),
            [&](std::size_t a, std::size_t b) { return shares[a] > shares[b]; });

  const double scale = std::clamp(std::min(canvas.cols, canvas.rows) / 560.0, 0.55, 1.6);
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  const int thickness = std::max(1, static_cast<int>(scale * 1.6));
  const int rowHeight = static_cast<int>(30 * scale);
  const int pad = static_cast<int>(10 * scale);
  const int swatch = static_cast<int>(18 * scale);

  std::vector<std::string> lines;
  for (std::size_t c : present) {
    char share[32];
    std::snprintf(share, sizeof share, "%5.1f%%", shares[c] * 100.0);
    lines.push_back(displayName(labels[c]) + "  " + share);
  }
  if (lines.empty()) lines.push_back("No objects found");

  int textWidth = 0;
  for (const auto& line : lines) {
    int baseline = 0;
    textWidth =
        std::max(textWidth, cv::getTextSize(line, font, 0.6 * scale, thickness, &baseline).width);
  }
  const int panelWidth = std::min(canvas.cols, pad * 3 + swatch + textWidth);
  const int panelHeight =
      std::min(canvas.rows, pad * 2 + rowHeight * static_cast<int>(lines.size()));
  const cv::Rect panel(pad, pad, std::min(panelWidth, canvas.cols - pad),
                       std::min(panelHeight, canvas.rows - pad));
  if (panel.width <= 0 || panel.height <= 0) return;
  cv::Mat region = canvas(panel);
  cv::Mat dark(region.size(), region.type(), cv::Scalar(24, 24, 24));
  cv::addWeighted(region, 0.35, dark, 0.65, 0.0, region);

  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int top = panel.y + pad + static_cast<int>(i) * rowHeight;
    const int middle = top + rowHeight / 2;
    int textX = panel.x + pad;
    if (!present.empty()) {
      const auto colour =
          bgr(detail::classColour(labels[present[i]], static_cast<int>(present[i])));
      cv::rectangle(canvas, cv::Rect(textX, middle - swatch / 2, swatch, swatch), colour,
                    cv::FILLED, cv::LINE_AA);
      textX += swatch + pad;
    }
    cv::putText(canvas, lines[i], cv::Point(textX, middle + static_cast<int>(7 * scale)), font,
                0.6 * scale, cv::Scalar(245, 245, 245), thickness, cv::LINE_AA);
  }
}

}  // namespace

std::vector<std::uint8_t> renderOverlayPng(const ImageSource& image,
                                           const Segmentation& segmentation,
                                           const OverlayOptions& options) {
  if (!segmentation.labels || segmentation.argmax.empty() ||
      segmentation.argmax.size() !=
          static_cast<std::size_t>(segmentation.width) * segmentation.height) {
    throw Error(ErrorCode::InvalidUserInput,
                "renderOverlayPng needs a segmentation produced by ImageSegmentationModule.");
  }
  const cv::Mat rgb = detail::loadRgbImage(image, {});
  cv::Mat canvas;
  cv::cvtColor(rgb, canvas, cv::COLOR_RGB2BGR);
  const cv::Mat classes = labelMapAtImageSize(segmentation, canvas.cols, canvas.rows);
  const auto& labels = *segmentation.labels;
  const float opacity = std::clamp(options.opacity, 0.0f, 1.0f);

  std::vector<double> shares(labels.size(), 0.0);
  cv::Mat tint = canvas.clone();
  for (int y = 0; y < canvas.rows; ++y) {
    const std::int32_t* k = classes.ptr<std::int32_t>(y);
    cv::Vec3b* t = tint.ptr<cv::Vec3b>(y);
    for (int x = 0; x < canvas.cols; ++x) {
      const auto c = static_cast<std::size_t>(
          std::clamp<std::int32_t>(k[x], 0, static_cast<std::int32_t>(labels.size()) - 1));
      shares[c] += 1.0;
      if (c == 0) continue;  // background stays as photographed
      const auto colour = detail::classColour(labels[c], static_cast<int>(c));
      t[x] = cv::Vec3b(colour[2], colour[1], colour[0]);
    }
  }
  for (double& share : shares) share /= static_cast<double>(canvas.total());
  cv::addWeighted(tint, opacity, canvas, 1.0 - opacity, 0.0, canvas);

  if (options.outlines) {
    const int thickness = std::max(1, std::min(canvas.cols, canvas.rows) / 300);
    for (std::size_t c = 1; c < labels.size(); ++c) {
      if (shares[c] == 0.0) continue;
      cv::Mat mask;
      cv::compare(classes, cv::Scalar(static_cast<double>(c)), mask, cv::CMP_EQ);
      std::vector<std::vector<cv::Point>> contours;
      cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
      cv::drawContours(canvas, contours, -1,
                       bgr(detail::classColour(labels[c], static_cast<int>(c))), thickness,
                       cv::LINE_AA);
    }
  }
  if (options.legend) drawLegend(canvas, labels, shares);

  std::vector<std::uint8_t> png;
  cv::imencode(".png", canvas, png);
  return png;
}

std::vector<std::uint8_t> encodeMaskPng(const Segmentation& segmentation) {
  const auto mask = segmentation.categoryMask();
  if (mask.empty() || !segmentation.labels || segmentation.labels->empty()) {
    throw Error(ErrorCode::InvalidUserInput, "encodeMaskPng needs a non-empty segmentation.");
  }
  // Pixel value = class index (exact, as Pascal VOC's own masks), palette =
  // the overlay's colours (visible in any viewer).
  const auto& labels = *segmentation.labels;
  std::vector<detail::Rgb> palette;
  for (std::size_t c = 0; c < labels.size() && c < 256; ++c) {
    palette.push_back(detail::classColour(labels[c], static_cast<int>(c)));
  }
  return detail::encodePalettePng(mask, segmentation.width, segmentation.height, palette);
}

}  // namespace etvision
