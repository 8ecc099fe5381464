// ImageSegmentationModule::segmentBatch with the bundled MediaPipe selfie
// model on the bundled photos: the same maps as segment() per image, with
// per-image errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "etvision/etvision.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

std::vector<std::string> photoPaths() {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(test::photosDir())) {
    const std::string extension = entry.path().extension().string();
    if (extension == ".jpg" || extension == ".jpeg" || extension == ".png") {
      paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

void expectSameSegmentation(const Segmentation& batch, const Segmentation& single,
                            const std::string& what) {
  EXPECT_EQ(batch.width, single.width) << what;
  EXPECT_EQ(batch.height, single.height) << what;
  EXPECT_EQ(batch.imageWidth, single.imageWidth) << what;
  EXPECT_EQ(batch.imageHeight, single.imageHeight) << what;
  EXPECT_TRUE(batch.argmax == single.argmax) << what;
  EXPECT_TRUE(batch.probabilities == single.probabilities) << what;
}

class SegmentationBatch : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    segmenter_ = new ImageSegmentationModule();
    segmenter_->load(MEDIAPIPE_SELFIE);
  }
  static void TearDownTestSuite() {
    delete segmenter_;
    segmenter_ = nullptr;
  }
  static ImageSegmentationModule* segmenter_;
};
ImageSegmentationModule* SegmentationBatch::segmenter_ = nullptr;

TEST_F(SegmentationBatch, EveryPhotoMatchesItsSingleImageResult) {
  const std::vector<std::string> paths = photoPaths();
  ASSERT_EQ(paths.size(), 10u);
  const std::vector<ImageSource> sources(paths.begin(), paths.end());
  SegmentOptions options;
  options.classesOfInterest = {"PERSON"};
  options.resize = true;
  const auto items = segmenter_->segmentBatch(sources, options);
  ASSERT_EQ(items.size(), paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(items[i].index, i);
    ASSERT_TRUE(items[i].ok()) << paths[i] << ": " << items[i].error->what();
    ASSERT_EQ(items[i].result->probabilities.count("PERSON"), 1u);
    expectSameSegmentation(*items[i].result, segmenter_->segment(paths[i], options), paths[i]);
  }
}

TEST_F(SegmentationBatch, ABadImageInTheMiddleFailsAloneWithItsCode) {
  const std::vector<ImageSource> sources{
      (test::photosDir() / "skimage_astronaut.png").string(),
      (test::photosDir() / "missing.png").string(),
      (test::photosDir() / "mpl_grace_hopper.jpg").string(),
  };
  const auto items = segmenter_->segmentBatch(sources);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_TRUE(items[0].ok());
  ASSERT_FALSE(items[1].ok());
  EXPECT_EQ(items[1].error->code(), ErrorCode::FileReadFailed);
  ASSERT_TRUE(items[2].ok());
  expectSameSegmentation(*items[2].result,
                         segmenter_->segment((test::photosDir() / "mpl_grace_hopper.jpg").string()),
                         "hopper");
}

TEST_F(SegmentationBatch, AnUnknownClassIsInvalidUserInputForEveryImage) {
  const std::vector<ImageSource> sources{
      (test::photosDir() / "skimage_astronaut.png").string(),
      (test::photosDir() / "mpl_grace_hopper.jpg").string(),
  };
  SegmentOptions options;
  options.classesOfInterest = {"UNICORN"};
  const auto items = segmenter_->segmentBatch(sources, options);
  ASSERT_EQ(items.size(), 2u);
  for (const auto& item : items) {
    ASSERT_FALSE(item.ok());
    EXPECT_EQ(item.error->code(), ErrorCode::InvalidUserInput);
  }
}

}  // namespace
}  // namespace etvision
