// The background blur on a real photo with the bundled selfie model: the
// person stays as it was and the background changes, measured against the
// model's own mask.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <span>
#include <vector>

#include "etvision/etvision.h"
#include "image/image_loader.h"
#include "render/effects.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

TEST(EffectsOnAPhoto, SelfieBlurKeepsThePersonAndChangesTheBackground) {
  ImageSegmentationModule segmenter;
  segmenter.load(MEDIAPIPE_SELFIE);
  const ImageSource photo = (test::photosDir() / "skimage_astronaut.png").string();

  EffectOptions effect;
  effect.kind = EffectKind::Blur;
  const auto labels = segmenter.info().labels;
  const std::vector<int> classes = detail::foregroundClasses(effect, *labels);
  SegmentOptions segmentOptions;
  for (int c : classes) segmentOptions.classesOfInterest.push_back((*labels)[c]);
  const Segmentation segmentation = segmenter.segment(photo, segmentOptions);
  const std::vector<float> probability = detail::foregroundProbability(segmentation, classes);

  const cv::Mat image = detail::loadRgbImage(photo, {});
  ASSERT_TRUE(image.isContinuous());
  const std::vector<std::uint8_t> original(image.data, image.data + image.total() * 3);
  std::vector<std::uint8_t> rgb = original;
  detail::EffectRenderer renderer(effect, image.cols, image.rows);
  renderer.render(rgb, probability, segmentation.width, segmentation.height);

  const std::span<const float> alpha = renderer.alpha();
  ASSERT_EQ(alpha.size(), image.total());
  std::size_t person = 0, personMoved = 0, background = 0, backgroundChanged = 0;
  int largestPersonChange = 0;
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    int change = 0;
    for (std::size_t c = 0; c < 3; ++c) {
      change = std::max(change, std::abs(rgb[i * 3 + c] - original[i * 3 + c]));
    }
    if (alpha[i] > 0.99f) {
      ++person;
      largestPersonChange = std::max(largestPersonChange, change);
      // Alpha 1 (rounded to the blend's 1/256 steps) keeps the pixel exactly.
      if (alpha[i] >= 0.999f && change != 0) ++personMoved;
    } else if (alpha[i] < 0.01f) {
      ++background;
      backgroundChanged += change != 0;
    }
  }
  std::cout << "[ figures  ] person " << person << " px (largest change " << largestPersonChange
            << "), background " << background << " px, " << backgroundChanged << " changed\n";
  EXPECT_GT(person, alpha.size() / 10);
  EXPECT_GT(background, alpha.size() / 10);
  EXPECT_EQ(personMoved, 0u);
  // Alpha in (0.99, 1) lets at most 1% of the background through.
  EXPECT_LE(largestPersonChange, 3);
  EXPECT_GT(backgroundChanged, background * 3 / 4);
}

}  // namespace
}  // namespace etvision
