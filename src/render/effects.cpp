#include "render/effects.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "etvision/error.h"
#include "image/image_loader.h"
#include "labels/label_sets.h"

namespace etvision::detail {

namespace {

std::string formatNumber(float value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(value));
  return text;
}

// NaN fails every comparison, so the ranges below reject it as well.
void requireRange(float value, float low, float high, bool highIncluded, const char* name,
                  const char* why) {
  const bool ok = value >= low && (highIncluded ? value <= high : value < high);
  if (!ok) {
    throw Error(ErrorCode::InvalidUserInput, std::string("EffectOptions::") + name + " is " +
                                                 formatNumber(value) + "; it must be in [" +
                                                 formatNumber(low) + ", " + formatNumber(high) +
                                                 (highIncluded ? "]" : ")") + " (" + why + ").");
  }
}

void validate(const EffectOptions& options, int width, int height) {
  if (width <= 0 || height <= 0) {
    throw Error(ErrorCode::InvalidUserInput, "Video effects need a positive frame size, not " +
                                                 std::to_string(width) + "x" +
                                                 std::to_string(height) + ".");
  }
  // Every field is checked whatever the kind, so a bad value is reported
  // when it is set rather than when someone later switches the effect.
  if (!(options.blurSigma > 0.0f && options.blurSigma <= 200.0f)) {
    throw Error(ErrorCode::InvalidUserInput,
                "EffectOptions::blurSigma is " + formatNumber(options.blurSigma) +
                    "; it must be more than 0 and at most 200 (a Gaussian sigma in frame "
                    "pixels; 12 is the default).");
  }
  requireRange(options.opacity, 0.0f, 1.0f, true, "opacity", "0 leaves the frame, 1 paints it");
  requireRange(options.feather, 0.0f, 0.5f, true, "feather",
               "a half-width around the probability 0.5; 0 is a hard threshold");
  requireRange(options.temporalSmoothing, 0.0f, 1.0f, false, "temporalSmoothing",
               "the previous frame's weight; 1 would freeze the first frame's mask");
}

/// The replacement background at frame size: the image stretched, read once.
cv::Mat prepareBackground(const ImageSource& source, int width, int height) {
  cv::Mat image;
  try {
    image = loadRgbImage(source, {});
  } catch (const Error& e) {
    throw Error(e.code(), "EffectOptions::background (the replacement image) cannot be used: " +
                              std::string(e.what()));
  }
  cv::Mat stretched;
  // Area averaging when shrinking avoids aliasing a large photo; bilinear
  // when enlarging.
  const bool shrinking = image.cols > width || image.rows > height;
  cv::resize(image, stretched, cv::Size(width, height), 0, 0,
             shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return stretched;
}

/// One frame row of the colour, so a uniform colour needs no frame-size plane.
std::vector<std::uint8_t> colourRow(const std::array<std::uint8_t, 3>& colour, int width) {
  std::vector<std::uint8_t> row(static_cast<std::size_t>(width) * 3);
  for (std::size_t i = 0; i < row.size(); i += 3) {
    row[i] = colour[0];
    row[i + 1] = colour[1];
    row[i + 2] = colour[2];
  }
  return row;
}

// Weights are integers in [0, 256] so that alpha 1 gives `a` and alpha 0 gives
// `b` exactly ((256 * v + 128) >> 8 == v), and every product fits 16 bits
// (256 * 255 + 128 < 65536), which lets the compiler use 16-bit lanes.
constexpr float kWeightOne = 256.0f;

/// weights[x] = round(alpha[x] * scale * 256), repeated for the 3 channels.
/// alpha is in [0, 1] by construction (a smoothstep or threshold, then a
/// bilinear resize), so weights never pass 256.
/// Two loops because the compiler vectorises the float conversion only
/// without the interleaved stores.
void rowWeights(const float* alpha, float scale, std::uint16_t* pixelWeights,
                std::uint16_t* weights, int width) {
  const float factor = scale * kWeightOne;
  for (int x = 0; x < width; ++x) {
    pixelWeights[x] =
        static_cast<std::uint16_t>(static_cast<std::int32_t>(alpha[x] * factor + 0.5f));
  }
  for (int x = 0; x < width; ++x) {
    const std::uint16_t w = pixelWeights[x];
    weights[3 * x] = w;
    weights[3 * x + 1] = w;
    weights[3 * x + 2] = w;
  }
}

/// out = (w * a + (256 - w) * b + 128) >> 8 per byte; out may alias a or b.
void blendRow(const std::uint8_t* a, const std::uint8_t* b, const std::uint16_t* weights,
              std::uint8_t* out, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    const auto w = weights[i];
    const auto mixed = static_cast<std::uint16_t>(w * a[i] + (256 - w) * b[i] + 128);
    out[i] = static_cast<std::uint8_t>(mixed >> 8);
  }
}

/// Written so that a NaN probability gives 0 (std::clamp would pass it on).
float smoothstep(float edge0, float edge1, float x) {
  float t = (x - edge0) / (edge1 - edge0);
  t = t > 0.0f ? (t < 1.0f ? t : 1.0f) : 0.0f;
  return t * t * (3.0f - 2.0f * t);
}

}  // namespace

std::vector<int> foregroundClasses(const EffectOptions& options,
                                   const std::vector<std::string>& labels) {
  std::vector<int> classes;
  if (options.foreground.empty()) {
    for (std::size_t i = 1; i < labels.size(); ++i) classes.push_back(static_cast<int>(i));
    return classes;
  }
  return labelIndices(options.foreground, labels, "EffectOptions::foreground");
}

std::vector<float> foregroundProbability(const Segmentation& segmentation,
                                         const std::vector<int>& classes) {
  if (!segmentation.labels || segmentation.width <= 0 || segmentation.height <= 0) {
    throw Error(ErrorCode::InvalidUserInput,
                "A video effect needs a segmentation produced by ImageSegmentationModule.");
  }
  const auto& labels = *segmentation.labels;
  const std::size_t pixels = static_cast<std::size_t>(segmentation.width) * segmentation.height;
  auto mapOf = [&](int index) -> const std::vector<float>* {
    if (index < 0 || static_cast<std::size_t>(index) >= labels.size()) {
      throw Error(ErrorCode::InvalidUserInput,
                  "Foreground class index " + std::to_string(index) + " is not one of the " +
                      std::to_string(labels.size()) + " classes of the model.");
    }
    const auto found = segmentation.probabilities.find(labels[index]);
    if (found == segmentation.probabilities.end()) return nullptr;
    if (found->second.size() != pixels) {
      throw Error(ErrorCode::InvalidUserInput,
                  "The probability map of '" + labels[index] + "' holds " +
                      std::to_string(found->second.size()) + " values, not the " +
                      std::to_string(segmentation.width) + "x" +
                      std::to_string(segmentation.height) + " of the segmentation.");
    }
    return &found->second;
  };

  std::vector<const std::vector<float>*> maps;
  const std::string* missing = nullptr;
  for (int index : classes) {
    const auto* map = mapOf(index);
    if (!map && !missing) missing = &labels[index];
    maps.push_back(map);
  }

  std::vector<float> probability(pixels, 0.0f);
  if (!missing) {
    for (const auto* map : maps) {
      for (std::size_t i = 0; i < pixels; ++i) probability[i] += (*map)[i];
    }
    // Softmax sums can drift a hair past 1.
    for (float& p : probability) p = std::clamp(p, 0.0f, 1.0f);
    return probability;
  }

  // Every class but the background is the background's complement; a
  // segmentation that asked only for the background (or a one-channel
  // model's background) still works.
  bool everyButFirst = classes.size() + 1 == labels.size();
  for (int index : classes) everyButFirst = everyButFirst && index != 0;
  if (everyButFirst && !labels.empty()) {
    if (const auto* background = mapOf(0)) {
      for (std::size_t i = 0; i < pixels; ++i) {
        probability[i] = std::clamp(1.0f - (*background)[i], 0.0f, 1.0f);
      }
      return probability;
    }
  }
  throw Error(ErrorCode::InvalidUserInput,
              "The segmentation holds no probability map for the foreground class '" + *missing +
                  "'; request it with SegmentOptions::classesOfInterest (or allClasses).");
}

struct EffectRenderer::State {
  EffectOptions options;
  int width = 0;
  int height = 0;
  /// Replace with an image: the image at frame size (CV_8UC3, RGB).
  cv::Mat background;
  /// Replace without an image: the background colour; Overlay: the tint.
  std::vector<std::uint8_t> colour;

  /// Temporal smoothing: the smoothed map of the previous frame.
  std::vector<float> history;
  int historyWidth = 0;
  int historyHeight = 0;

  // Per-frame buffers, kept to avoid reallocating every frame.
  cv::Mat mapAlpha;  // CV_32FC1, map size
  cv::Mat alpha;     // CV_32FC1, frame size
  std::vector<std::uint16_t> pixelWeights;
  std::vector<std::uint16_t> weights;
  std::vector<cv::Mat> pyramid;
  cv::Mat blurredSmall;
  cv::Mat blurred;

  void blurBackground(const cv::Mat& frame);
  void compose(std::uint8_t* frame, float scale, bool frameIsA, const cv::Mat* plane);
};

// A Gaussian blur of sigma in the tens of pixels is wide, so it is done at
// reduced resolution: k bilinear halvings (at exactly half size each is a 2x2
// box average, so together a 2^k box: variance (4^k - 1) / 12 in frame pixels),
// a Gaussian for the remaining variance at 1/2^k size, and a bilinear
// enlargement back (a triangle filter, variance about 4^k / 6). Variances
// add, so the result approximates the full-size Gaussian; bilinear resizing
// both ways keeps pixel centres aligned (pyrDown's would shift the result by
// (2^k - 1) / 2 pixels). k is the largest that leaves the small Gaussian at
// least kMinResidualSigma of its pixels wide, so the enlargement shows no
// blocks. Against cv::GaussianBlur at full size on a 720p photo: 52-56 dB
// PSNR away from the frame's borders (at most 2-4 levels apart) for sigma 3
// to 12, about 3x to 30x faster; the borders differ more (up to ~25 levels)
// as their reflection happens at the small size.
constexpr double kMinResidualSigma = 1.25;

void EffectRenderer::State::blurBackground(const cv::Mat& frame) {
  const double sigma = options.blurSigma;
  const double target = sigma * sigma;
  int levels = 0;
  double residual = sigma;  // in the pixels of the smallest level
  for (int k = 1;; ++k) {
    const double scale = std::ldexp(1.0, 2 * k);  // 4^k
    const double remaining = target - (scale - 1.0) / 12.0 - scale / 6.0;
    const bool wideEnough = remaining >= kMinResidualSigma * kMinResidualSigma * scale;
    const bool bigEnough = (frame.cols >> k) >= 8 && (frame.rows >> k) >= 8;
    if (!wideEnough || !bigEnough) break;
    levels = k;
    residual = std::sqrt(remaining / scale);
  }
  if (levels == 0) {
    cv::GaussianBlur(frame, blurred, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT_101);
    return;
  }
  pyramid.resize(static_cast<std::size_t>(levels));
  const cv::Mat* level = &frame;
  for (auto& next : pyramid) {
    cv::resize(*level, next, cv::Size((level->cols + 1) / 2, (level->rows + 1) / 2), 0, 0,
               cv::INTER_LINEAR);
    level = &next;
  }
  cv::GaussianBlur(*level, blurredSmall, cv::Size(0, 0), residual, residual,
                   cv::BORDER_REFLECT_101);
  cv::resize(blurredSmall, blurred, frame.size(), 0, 0, cv::INTER_LINEAR);
}

// frame = w * a + (1 - w) * b with w = alpha * scale, where a is the frame
// and b the plane (or the colour) when `frameIsA`, and the other way round
// otherwise.
void EffectRenderer::State::compose(std::uint8_t* frame, float scale, bool frameIsA,
                                    const cv::Mat* plane) {
  const std::size_t rowBytes = static_cast<std::size_t>(width) * 3;
  pixelWeights.resize(static_cast<std::size_t>(width));
  weights.resize(rowBytes);
  for (int y = 0; y < height; ++y) {
    std::uint8_t* row = frame + rowBytes * static_cast<std::size_t>(y);
    const std::uint8_t* other = plane ? plane->ptr<std::uint8_t>(y) : colour.data();
    rowWeights(alpha.ptr<float>(y), scale, pixelWeights.data(), weights.data(), width);
    if (frameIsA) {
      blendRow(row, other, weights.data(), row, rowBytes);
    } else {
      blendRow(other, row, weights.data(), row, rowBytes);
    }
  }
}

EffectRenderer::EffectRenderer(const EffectOptions& options, int width, int height)
    : state_(std::make_unique<State>()) {
  validate(options, width, height);
  state_->options = options;
  state_->width = width;
  state_->height = height;
  if (options.kind == EffectKind::Replace && options.background) {
    state_->background = prepareBackground(*options.background, width, height);
  } else if (options.kind == EffectKind::Replace || options.kind == EffectKind::Overlay) {
    state_->colour = colourRow(options.color, width);
  }
  // The image was read; the renderer need not keep its bytes.
  state_->options.background.reset();
}

EffectRenderer::~EffectRenderer() = default;

void EffectRenderer::render(std::span<std::uint8_t> rgb, std::span<const float> probability,
                            int mapWidth, int mapHeight) {
  State& s = *state_;
  const std::size_t frameBytes = static_cast<std::size_t>(s.width) * s.height * 3;
  if (rgb.size() != frameBytes) {
    throw Error(ErrorCode::InvalidUserInput,
                "EffectRenderer::render got " + std::to_string(rgb.size()) + " bytes, not the " +
                    std::to_string(frameBytes) + " of a packed RGB " + std::to_string(s.width) +
                    "x" + std::to_string(s.height) + " frame.");
  }
  if (mapWidth <= 0 || mapHeight <= 0 ||
      probability.size() != static_cast<std::size_t>(mapWidth) * mapHeight) {
    throw Error(ErrorCode::InvalidUserInput,
                "EffectRenderer::render got " + std::to_string(probability.size()) +
                    " probabilities for a " + std::to_string(mapWidth) + "x" +
                    std::to_string(mapHeight) + " map.");
  }
  // Segmentation only: no picture work, not even the alpha.
  if (s.options.kind == EffectKind::None) return;

  const std::size_t mapPixels = probability.size();
  const float smoothing = s.options.temporalSmoothing;
  const bool restart = s.historyWidth != mapWidth || s.historyHeight != mapHeight;
  if (smoothing > 0.0f && !restart) {
    for (std::size_t i = 0; i < mapPixels; ++i) {
      s.history[i] = (1.0f - smoothing) * probability[i] + smoothing * s.history[i];
    }
  } else {
    s.history.assign(probability.begin(), probability.end());
    s.historyWidth = mapWidth;
    s.historyHeight = mapHeight;
  }

  s.mapAlpha.create(mapHeight, mapWidth, CV_32FC1);
  float* mapAlpha = s.mapAlpha.ptr<float>();
  const float feather = s.options.feather;
  for (std::size_t i = 0; i < mapPixels; ++i) {
    const float p = s.history[i];
    // A hard threshold sends 0.5 itself to the background, as the argmax
    // map's ties do.
    mapAlpha[i] =
        feather > 0.0f ? smoothstep(0.5f - feather, 0.5f + feather, p) : (p > 0.5f ? 1.0f : 0.0f);
  }
  if (mapWidth == s.width && mapHeight == s.height) {
    s.mapAlpha.copyTo(s.alpha);
  } else {
    cv::resize(s.mapAlpha, s.alpha, cv::Size(s.width, s.height), 0, 0, cv::INTER_LINEAR);
  }

  cv::Mat frame(s.height, s.width, CV_8UC3, rgb.data());
  switch (s.options.kind) {
    case EffectKind::None: break;
    case EffectKind::Blur:
      s.blurBackground(frame);
      s.compose(rgb.data(), 1.0f, true, &s.blurred);
      break;
    case EffectKind::Replace:
      s.compose(rgb.data(), 1.0f, true, s.background.empty() ? nullptr : &s.background);
      break;
    case EffectKind::Overlay: s.compose(rgb.data(), s.options.opacity, false, nullptr); break;
    case EffectKind::Mask: {
      cv::Mat grey;
      s.alpha.convertTo(grey, CV_8U, 255.0);
      cv::cvtColor(grey, frame, cv::COLOR_GRAY2RGB);
      break;
    }
  }
}

std::span<const float> EffectRenderer::alpha() const noexcept {
  const cv::Mat& alpha = state_->alpha;
  if (alpha.empty()) return {};
  return {alpha.ptr<float>(), alpha.total()};
}

}  // namespace etvision::detail
