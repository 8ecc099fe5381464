// The video effects (render/effects.h) on synthetic frames and maps: what
// each effect writes where the alpha is 0 and 1, feathering, temporal
// smoothing, option validation, and the foreground classes and probability.
#include "render/effects.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "etvision/error.h"
#include "support/test_helpers.h"

namespace etvision::detail {
namespace {

constexpr int kWidth = 64;
constexpr int kHeight = 48;

/// High-frequency texture, so that any blur changes almost every pixel.
std::vector<std::uint8_t> texturedFrame(int width = kWidth, int height = kHeight) {
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        const bool checker = ((x / 2) + (y / 2) + c) % 2 == 0;
        rgb[(static_cast<std::size_t>(y) * width + x) * 3 + c] =
            static_cast<std::uint8_t>(checker ? 30 + 5 * c : 220 - 7 * c);
      }
    }
  }
  return rgb;
}

/// Foreground (1) on the left half, background (0) on the right.
std::vector<float> halfMap(int width, int height) {
  std::vector<float> map(static_cast<std::size_t>(width) * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x)
      map[static_cast<std::size_t>(y) * width + x] = x < width / 2 ? 1.0f : 0.0f;
  }
  return map;
}

EffectOptions optionsFor(EffectKind kind) {
  EffectOptions options;
  options.kind = kind;
  return options;
}

std::uint8_t channel(const std::vector<std::uint8_t>& rgb, std::size_t pixel, int c) {
  return rgb[pixel * 3 + static_cast<std::size_t>(c)];
}

TEST(EffectRenderer, BlurKeepsForegroundPixelsExactlyAndChangesTexturedBackground) {
  auto options = optionsFor(EffectKind::Blur);
  options.blurSigma = 4.0f;
  EffectRenderer renderer(options, kWidth, kHeight);
  const auto original = texturedFrame();
  auto rgb = original;
  // A map at half the frame size, as a model's output is smaller than a frame.
  const auto map = halfMap(kWidth / 2, kHeight / 2);
  renderer.render(rgb, map, kWidth / 2, kHeight / 2);

  const auto alpha = renderer.alpha();
  ASSERT_EQ(alpha.size(), static_cast<std::size_t>(kWidth) * kHeight);
  std::size_t foreground = 0, background = 0, backgroundChanged = 0;
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    const bool changed = channel(rgb, i, 0) != channel(original, i, 0) ||
                         channel(rgb, i, 1) != channel(original, i, 1) ||
                         channel(rgb, i, 2) != channel(original, i, 2);
    if (alpha[i] == 1.0f) {
      ++foreground;
      EXPECT_FALSE(changed) << "foreground pixel " << i;
    } else if (alpha[i] == 0.0f) {
      ++background;
      backgroundChanged += changed;
    }
  }
  EXPECT_GT(foreground, alpha.size() / 3);
  EXPECT_GT(background, alpha.size() / 3);
  EXPECT_GT(backgroundChanged, background * 9 / 10);
}

TEST(EffectRenderer, BlurOfAUniformFrameIsTheFrame) {
  // The blur preserves flat areas (no brightness shift from the pyramid).
  for (float sigma : {1.0f, 12.0f, 60.0f}) {
    auto options = optionsFor(EffectKind::Blur);
    options.blurSigma = sigma;
    const int width = 640, height = 360;
    EffectRenderer renderer(options, width, height);
    std::vector<std::uint8_t> rgb(static_cast<std::size_t>(width) * height * 3, 77);
    const std::vector<float> map(16 * 16, 0.0f);
    renderer.render(rgb, map, 16, 16);
    for (std::uint8_t v : rgb) ASSERT_EQ(v, 77) << "sigma " << sigma;
  }
}

TEST(EffectRenderer, ReplaceWithAColourPutsItWhereBackgroundAndTheFrameWhereForeground) {
  auto options = optionsFor(EffectKind::Replace);
  options.color = {10, 20, 30};
  EffectRenderer renderer(options, kWidth, kHeight);
  const auto original = texturedFrame();
  auto rgb = original;
  renderer.render(rgb, halfMap(kWidth / 4, kHeight / 4), kWidth / 4, kHeight / 4);
  const auto alpha = renderer.alpha();
  std::size_t checked = 0;
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    for (int c = 0; c < 3; ++c) {
      if (alpha[i] == 0.0f) {
        ASSERT_EQ(channel(rgb, i, c), options.color[static_cast<std::size_t>(c)]) << i;
        ++checked;
      } else if (alpha[i] == 1.0f) {
        ASSERT_EQ(channel(rgb, i, c), channel(original, i, c)) << i;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, alpha.size() * 3 * 2 / 3);
}

TEST(EffectRenderer, ReplaceWithAnImagePutsItWhereBackground) {
  // An image of the frame's size is used as is.
  const auto image = texturedFrame();
  auto options = optionsFor(EffectKind::Replace);
  options.background = ImageSource::fromPixels({image.data(), kWidth, kHeight, 0});
  EffectRenderer renderer(options, kWidth, kHeight);
  std::vector<std::uint8_t> rgb(image.size(), 5);
  renderer.render(rgb, halfMap(kWidth, kHeight), kWidth, kHeight);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * kWidth + x;
      for (int c = 0; c < 3; ++c) {
        ASSERT_EQ(channel(rgb, i, c), x < kWidth / 2 ? 5 : channel(image, i, c)) << x << "," << y;
      }
    }
  }
}

TEST(EffectRenderer, ReplaceStretchesTheImageToTheFrame) {
  const std::vector<std::uint8_t> image(8 * 6 * 3, 200);
  auto options = optionsFor(EffectKind::Replace);
  options.background = ImageSource::fromPixels({image.data(), 8, 6, 0});
  EffectRenderer renderer(options, kWidth, kHeight);
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(kWidth) * kHeight * 3, 5);
  renderer.render(rgb, std::vector<float>(4, 0.0f), 2, 2);
  for (std::uint8_t v : rgb) ASSERT_EQ(v, 200);
}

TEST(EffectRenderer, OverlayTintsTheForegroundByAlphaTimesOpacity) {
  auto options = optionsFor(EffectKind::Overlay);
  options.color = {0, 200, 100};
  options.opacity = 0.5f;
  options.feather = 0.5f;  // smoothstep over [0, 1]: every alpha in between
  const int width = 11;
  EffectRenderer renderer(options, width, 1);
  std::vector<float> map(width);
  for (int x = 0; x < width; ++x) map[x] = static_cast<float>(x) / (width - 1);
  std::vector<std::uint8_t> rgb(width * 3, 100);
  renderer.render(rgb, map, width, 1);
  const auto alpha = renderer.alpha();
  for (int x = 0; x < width; ++x) {
    const float w = alpha[x] * options.opacity;
    for (int c = 0; c < 3; ++c) {
      const float expected = 100.0f * (1.0f - w) + options.color[c] * w;
      EXPECT_NEAR(rgb[x * 3 + c], expected, 1.0f) << x << "," << c;
    }
  }
  // Alpha 0 leaves the frame; alpha 1 at opacity 0.5 is the midpoint.
  EXPECT_EQ(rgb[0], 100);
  EXPECT_EQ(rgb[1], 100);
  EXPECT_EQ(rgb[(width - 1) * 3 + 0], 50);
  EXPECT_EQ(rgb[(width - 1) * 3 + 1], 150);
  EXPECT_EQ(rgb[(width - 1) * 3 + 2], 100);
}

TEST(EffectRenderer, MaskIsTheAlphaAsGreyInEveryChannel) {
  auto options = optionsFor(EffectKind::Mask);
  options.feather = 0.5f;
  const std::vector<float> map{0.0f, 0.25f, 0.5f, 0.75f, 1.0f};
  EffectRenderer renderer(options, 5, 1);
  auto rgb = std::vector<std::uint8_t>(15, 9);
  renderer.render(rgb, map, 5, 1);
  // smoothstep(0, 1, p) * 255, rounded.
  const std::vector<std::uint8_t> expected{0, 40, 128, 215, 255};
  for (int x = 0; x < 5; ++x) {
    for (int c = 0; c < 3; ++c) EXPECT_EQ(rgb[x * 3 + c], expected[x]) << x;
  }
}

TEST(EffectRenderer, NoneLeavesTheFrameUntouched) {
  EffectRenderer renderer(optionsFor(EffectKind::None), kWidth, kHeight);
  const auto original = texturedFrame();
  auto rgb = original;
  renderer.render(rgb, halfMap(kWidth, kHeight), kWidth, kHeight);
  EXPECT_EQ(rgb, original);
}

TEST(EffectRenderer, FeatherZeroIsAHardThresholdAtOneHalf) {
  auto options = optionsFor(EffectKind::Mask);
  options.feather = 0.0f;
  const std::vector<float> map{0.0f, 0.49f, 0.5f, 0.5001f, 0.51f, 1.0f};
  EffectRenderer renderer(options, 6, 1);
  std::vector<std::uint8_t> rgb(18);
  renderer.render(rgb, map, 6, 1);
  // 0.5 itself is background, as argmax ties go to the lower class index.
  const std::vector<float> expected{0, 0, 0, 1, 1, 1};
  const auto alpha = renderer.alpha();
  EXPECT_EQ(std::vector<float>(alpha.begin(), alpha.end()), expected);
}

TEST(EffectRenderer, FeatherIsASmoothstepAroundOneHalf) {
  auto options = optionsFor(EffectKind::Mask);
  options.feather = 0.25f;
  const std::vector<float> map{0.2f, 0.25f, 0.375f, 0.5f, 0.625f, 0.75f, 0.9f};
  EffectRenderer renderer(options, 7, 1);
  std::vector<std::uint8_t> rgb(21);
  renderer.render(rgb, map, 7, 1);
  const std::vector<float> expected{0.0f, 0.0f, 0.15625f, 0.5f, 0.84375f, 1.0f, 1.0f};
  const auto alpha = renderer.alpha();
  ASSERT_EQ(alpha.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(alpha[i], expected[i], 1e-6) << i;
}

TEST(EffectRenderer, ProbabilitiesOutsideZeroToOneAndNaNGiveAlphasInRange) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (float feather : {0.0f, 0.25f}) {
    auto options = optionsFor(EffectKind::Mask);
    options.feather = feather;
    EffectRenderer renderer(options, 3, 1);
    std::vector<std::uint8_t> rgb(9);
    renderer.render(rgb, std::vector<float>{-3.0f, 7.0f, nan}, 3, 1);
    const auto alpha = renderer.alpha();
    EXPECT_EQ(std::vector<float>(alpha.begin(), alpha.end()), (std::vector<float>{0, 1, 0}));
    EXPECT_EQ(rgb, (std::vector<std::uint8_t>{0, 0, 0, 255, 255, 255, 0, 0, 0}));
  }
}

/// smoothstep(0, 1, p): the alpha for feather 0.5.
double fullSmoothstep(double p) {
  return p * p * (3.0 - 2.0 * p);
}

TEST(EffectRenderer, TemporalSmoothingIsAnExponentialMovingAverageOfTheMaps) {
  auto options = optionsFor(EffectKind::Mask);
  options.feather = 0.5f;
  options.temporalSmoothing = 0.25f;
  EffectRenderer renderer(options, 2, 1);
  std::vector<std::uint8_t> rgb(6);
  renderer.render(rgb, std::vector<float>{0.2f, 0.6f}, 2, 1);
  // The first map is its own.
  EXPECT_NEAR(renderer.alpha()[0], fullSmoothstep(0.2), 1e-6);
  EXPECT_NEAR(renderer.alpha()[1], fullSmoothstep(0.6), 1e-6);
  renderer.render(rgb, std::vector<float>{0.8f, 0.6f}, 2, 1);
  // p = 0.75 * 0.8 + 0.25 * 0.2 = 0.65; an unchanged pixel stays.
  EXPECT_NEAR(renderer.alpha()[0], fullSmoothstep(0.65), 1e-6);
  EXPECT_NEAR(renderer.alpha()[1], fullSmoothstep(0.6), 1e-6);
  renderer.render(rgb, std::vector<float>{0.0f, 0.6f}, 2, 1);
  // p = 0.75 * 0 + 0.25 * 0.65 = 0.1625
  EXPECT_NEAR(renderer.alpha()[0], fullSmoothstep(0.1625), 1e-6);
}

TEST(EffectRenderer, TemporalSmoothingRestartsWhenTheMapSizeChanges) {
  auto options = optionsFor(EffectKind::Mask);
  options.feather = 0.5f;
  options.temporalSmoothing = 0.5f;
  EffectRenderer renderer(options, 4, 1);
  std::vector<std::uint8_t> rgb(12);
  renderer.render(rgb, std::vector<float>{0.9f, 0.9f}, 2, 1);
  // Another size: no history, this map alone (uniform, so the resize keeps it).
  renderer.render(rgb, std::vector<float>(4, 0.1f), 4, 1);
  for (float a : renderer.alpha()) EXPECT_NEAR(a, fullSmoothstep(0.1), 1e-6);
  // And the new size's history continues: 0.5 * 0.3 + 0.5 * 0.1 = 0.2.
  renderer.render(rgb, std::vector<float>(4, 0.3f), 4, 1);
  for (float a : renderer.alpha()) EXPECT_NEAR(a, fullSmoothstep(0.2), 1e-6);
}

TEST(EffectRenderer, WithoutSmoothingEveryFrameIsItsOwn) {
  auto options = optionsFor(EffectKind::Mask);
  options.feather = 0.5f;
  EffectRenderer renderer(options, 1, 1);
  std::vector<std::uint8_t> rgb(3);
  renderer.render(rgb, std::vector<float>{0.9f}, 1, 1);
  renderer.render(rgb, std::vector<float>{0.3f}, 1, 1);
  EXPECT_NEAR(renderer.alpha()[0], fullSmoothstep(0.3), 1e-6);
}

TEST(EffectRenderer, TheAlphaIsResizedBilinearlyToTheFrame) {
  auto options = optionsFor(EffectKind::Mask);
  options.feather = 0.0f;
  EffectRenderer renderer(options, 8, 1);
  std::vector<std::uint8_t> rgb(24);
  renderer.render(rgb, std::vector<float>{0.0f, 1.0f}, 2, 1);
  // Pixel centres: the map's two pixels sit at frame x = 1.5 and 5.5.
  const std::vector<float> expected{0, 0, 0.125f, 0.375f, 0.625f, 0.875f, 1, 1};
  const auto alpha = renderer.alpha();
  ASSERT_EQ(alpha.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(alpha[i], expected[i], 1e-6) << i;
}

TEST(EffectRenderer, WrongBufferSizesAreInvalidUserInput) {
  EffectRenderer renderer(optionsFor(EffectKind::Blur), 4, 4);
  std::vector<std::uint8_t> rgb(4 * 4 * 3);
  std::vector<std::uint8_t> shortFrame(4 * 4 * 3 - 1);
  const std::vector<float> map(4);
  EXPECT_EQ(test::errorCodeOf([&] { renderer.render(shortFrame, map, 2, 2); }),
            ErrorCode::InvalidUserInput);
  EXPECT_EQ(test::errorCodeOf([&] { renderer.render(rgb, map, 3, 2); }),
            ErrorCode::InvalidUserInput);
  EXPECT_EQ(test::errorCodeOf([&] { renderer.render(rgb, {}, 0, 0); }),
            ErrorCode::InvalidUserInput);
}

/// The etvision::Error that constructing a renderer with `options` throws.
Error constructionError(const EffectOptions& options, int width = 16, int height = 16) {
  try {
    EffectRenderer renderer(options, width, height);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no etvision::Error thrown";
  return Error(ErrorCode::UnknownError, "");
}

void expectInvalid(const EffectOptions& options, const std::string& mentions) {
  const Error e = constructionError(options);
  EXPECT_EQ(e.code(), ErrorCode::InvalidUserInput) << e.what();
  EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
}

TEST(EffectValidation, OutOfRangeValuesNameTheOptionAndItsRange) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (float sigma : {0.0f, -1.0f, 200.5f, nan}) {
    auto options = optionsFor(EffectKind::Blur);
    options.blurSigma = sigma;
    expectInvalid(options, "EffectOptions::blurSigma");
    expectInvalid(options, "at most 200");
  }
  for (float opacity : {-0.1f, 1.1f, nan}) {
    auto options = optionsFor(EffectKind::Overlay);
    options.opacity = opacity;
    expectInvalid(options, "EffectOptions::opacity");
    expectInvalid(options, "[0, 1]");
  }
  for (float feather : {-0.01f, 0.51f, nan}) {
    auto options = optionsFor(EffectKind::Blur);
    options.feather = feather;
    expectInvalid(options, "EffectOptions::feather");
    expectInvalid(options, "[0, 0.5]");
  }
  for (float smoothing : {-0.5f, 1.0f, nan}) {
    auto options = optionsFor(EffectKind::Blur);
    options.temporalSmoothing = smoothing;
    expectInvalid(options, "EffectOptions::temporalSmoothing");
    expectInvalid(options, "[0, 1)");
  }
}

TEST(EffectValidation, TheEdgesOfEveryRangeAreAccepted) {
  auto options = optionsFor(EffectKind::Overlay);
  options.blurSigma = 200.0f;
  options.opacity = 1.0f;
  options.feather = 0.5f;
  options.temporalSmoothing = 0.99f;
  EXPECT_NO_THROW(EffectRenderer(options, 1, 1));
  options.opacity = 0.0f;
  options.feather = 0.0f;
  options.temporalSmoothing = 0.0f;
  options.blurSigma = 0.01f;
  EXPECT_NO_THROW(EffectRenderer(options, 1, 1));
}

TEST(EffectValidation, TheFrameSizeMustBePositive) {
  for (auto [width, height] : {std::pair{0, 10}, std::pair{10, 0}, std::pair{-1, -1}}) {
    const Error e = constructionError(optionsFor(EffectKind::Blur), width, height);
    EXPECT_EQ(e.code(), ErrorCode::InvalidUserInput);
    EXPECT_NE(std::string(e.what()).find("frame size"), std::string::npos) << e.what();
  }
}

TEST(EffectValidation, AnUnreadableBackgroundKeepsTheLoadersCodeAndNamesTheOption) {
  auto options = optionsFor(EffectKind::Replace);
  options.background = ImageSource::fromPath("/nonexistent/etvision/backdrop.png");
  Error e = constructionError(options);
  EXPECT_EQ(e.code(), ErrorCode::FileReadFailed);
  EXPECT_NE(std::string(e.what()).find("EffectOptions::background"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("backdrop.png"), std::string::npos) << e.what();

  options.background = ImageSource::fromBytes({1, 2, 3, 4, 5, 6, 7, 8});  // not an image
  e = constructionError(options);
  EXPECT_EQ(e.code(), ErrorCode::FileReadFailed);
  EXPECT_NE(std::string(e.what()).find("EffectOptions::background"), std::string::npos) << e.what();

  options.background = ImageSource::fromBase64("not base64 at all!");
  e = constructionError(options);
  EXPECT_EQ(e.code(), ErrorCode::InvalidUserInput);
  EXPECT_NE(std::string(e.what()).find("EffectOptions::background"), std::string::npos) << e.what();
}

const std::vector<std::string> kSelfieLabels{"BACKGROUND", "PERSON"};

TEST(EffectForegroundClasses, EmptyMeansEveryClassButTheFirst) {
  EXPECT_EQ(foregroundClasses({}, kSelfieLabels), std::vector<int>{1});
  const auto voc = test::vocLabelNames();
  const auto classes = foregroundClasses({}, voc);
  ASSERT_EQ(classes.size(), voc.size() - 1);
  for (std::size_t i = 0; i < classes.size(); ++i) EXPECT_EQ(classes[i], static_cast<int>(i + 1));
}

TEST(EffectForegroundClasses, LabelsMatchExactlyThenIgnoringCaseWithoutDuplicates) {
  EffectOptions options;
  options.foreground = {"CAT", "dog", "Cat", "PERSON"};
  EXPECT_EQ(foregroundClasses(options, test::vocLabelNames()), (std::vector<int>{8, 12, 15}));
  // An exact match wins over a case-insensitive one.
  options.foreground = {"person"};
  EXPECT_EQ(foregroundClasses(options, {"PERSON", "person"}), std::vector<int>{1});
}

TEST(EffectForegroundClasses, AnUnknownLabelListsTheKnownOnes) {
  EffectOptions options;
  options.foreground = {"PERSN"};
  try {
    foregroundClasses(options, kSelfieLabels);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidUserInput);
    const std::string message = e.what();
    EXPECT_NE(message.find("'PERSN'"), std::string::npos) << message;
    EXPECT_NE(message.find("EffectOptions::foreground"), std::string::npos) << message;
    EXPECT_NE(message.find("did you mean PERSON"), std::string::npos) << message;
    EXPECT_NE(message.find("BACKGROUND, PERSON"), std::string::npos) << message;
  }
}

Segmentation segmentationWith(std::vector<std::string> labels,
                              std::map<std::string, std::vector<float>> maps) {
  Segmentation s;
  s.width = 2;
  s.height = 1;
  s.argmax = {0, 0};
  s.labels = std::make_shared<const std::vector<std::string>>(std::move(labels));
  s.probabilities = std::move(maps);
  return s;
}

TEST(EffectForegroundProbability, SumsTheClassesMapsClampedToOne) {
  const auto s = segmentationWith({"BACKGROUND", "CAT", "DOG"},
                                  {{"CAT", {0.25f, 0.7f}}, {"DOG", {0.5f, 0.6f}}});
  EXPECT_EQ(foregroundProbability(s, {1, 2}), (std::vector<float>{0.75f, 1.0f}));
  EXPECT_EQ(foregroundProbability(s, {2}), (std::vector<float>{0.5f, 0.6f}));
}

TEST(EffectForegroundProbability, TheBackgroundsComplementStandsForEveryOtherClass) {
  const auto s = segmentationWith({"BACKGROUND", "CAT", "DOG"}, {{"BACKGROUND", {0.25f, 1.0f}}});
  EXPECT_EQ(foregroundProbability(s, {1, 2}), (std::vector<float>{0.75f, 0.0f}));
  // But not for some of them.
  EXPECT_EQ(test::errorCodeOf([&] { foregroundProbability(s, {1}); }), ErrorCode::InvalidUserInput);
}

TEST(EffectForegroundProbability, AMissingMapSaysWhichOptionToSet) {
  const auto s = segmentationWith({"BACKGROUND", "PERSON"}, {});
  try {
    foregroundProbability(s, {1});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidUserInput);
    const std::string message = e.what();
    EXPECT_NE(message.find("'PERSON'"), std::string::npos) << message;
    EXPECT_NE(message.find("classesOfInterest"), std::string::npos) << message;
  }
  EXPECT_EQ(test::errorCodeOf([&] { foregroundProbability(s, {5}); }), ErrorCode::InvalidUserInput);
  EXPECT_EQ(test::errorCodeOf([&] { foregroundProbability(Segmentation{}, {1}); }),
            ErrorCode::InvalidUserInput);
}

}  // namespace
}  // namespace etvision::detail
