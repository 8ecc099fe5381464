// ClassificationModule::classifyBatch / classifyEach with the bundled
// MobileNetV2 on the bundled photos: the same results as classify() per
// image, in order, with per-image errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
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

void expectSameClassification(const Classification& batch, const Classification& single,
                              const std::string& what) {
  // Bit-identical: the same preprocessing and the same program.
  EXPECT_EQ(batch.logits, single.logits) << what;
  EXPECT_EQ(batch.probabilities, single.probabilities) << what;
  ASSERT_EQ(batch.categories.size(), single.categories.size()) << what;
  for (std::size_t i = 0; i < batch.categories.size(); ++i) {
    EXPECT_EQ(batch.categories[i].index, single.categories[i].index) << what << " #" << i;
  }
  EXPECT_EQ(batch.imageWidth, single.imageWidth) << what;
  EXPECT_EQ(batch.imageHeight, single.imageHeight) << what;
}

class ClassificationBatch : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    classifier_ = new ClassificationModule();
    classifier_->load(MOBILENET_V2);
  }
  static void TearDownTestSuite() {
    delete classifier_;
    classifier_ = nullptr;
  }
  static ClassificationModule* classifier_;
};
ClassificationModule* ClassificationBatch::classifier_ = nullptr;

TEST_F(ClassificationBatch, EveryPhotoMatchesItsSingleImageResult) {
  const std::vector<std::string> paths = photoPaths();
  ASSERT_EQ(paths.size(), 10u);
  const std::vector<ImageSource> sources(paths.begin(), paths.end());
  const ClassifyOptions options{.maxResults = 5};
  const auto items = classifier_->classifyBatch(sources, options);
  ASSERT_EQ(items.size(), paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(items[i].index, i);
    ASSERT_TRUE(items[i].ok()) << paths[i] << ": " << items[i].error->what();
    expectSameClassification(*items[i].result, classifier_->classify(paths[i], options), paths[i]);
  }
}

TEST_F(ClassificationBatch, ABadImageInTheMiddleFailsAloneWithItsCode) {
  const std::string photos = test::photosDir().string();
  const std::string notAnImage = "this is not an image";
  const std::vector<ImageSource> sources{
      photos + "/skimage_coffee.png",
      photos + "/no_such_photo.jpg",
      ImageSource::fromEncoded(std::vector<std::uint8_t>(notAnImage.begin(), notAnImage.end())),
      photos + "/wonnx_pelican.jpeg",
  };
  const auto items = classifier_->classifyBatch(sources, {.maxResults = 1});
  ASSERT_EQ(items.size(), 4u);
  ASSERT_TRUE(items[0].ok());
  EXPECT_EQ(items[0].result->categories.at(0).label, "espresso");
  ASSERT_FALSE(items[1].ok());
  EXPECT_EQ(items[1].error->code(), ErrorCode::FileReadFailed);
  EXPECT_NE(std::string(items[1].error->what()).find("no_such_photo.jpg"), std::string::npos);
  ASSERT_FALSE(items[2].ok());
  EXPECT_EQ(items[2].error->code(), ErrorCode::FileReadFailed);
  ASSERT_TRUE(items[3].ok());
  expectSameClassification(*items[3].result,
                           classifier_->classify(photos + "/wonnx_pelican.jpeg", {.maxResults = 1}),
                           "pelican");
}

TEST_F(ClassificationBatch, ItemsArriveInOrderOnTheCallingThread) {
  const std::vector<std::string> paths = photoPaths();
  const std::vector<ImageSource> sources(paths.begin(), paths.end());
  std::vector<std::size_t> order;
  bool sameThread = true;
  const auto caller = std::this_thread::get_id();
  classifier_->classifyEach(sources, {}, [&](BatchItem<Classification>&& item) {
    order.push_back(item.index);
    sameThread = sameThread && std::this_thread::get_id() == caller;
  });
  std::vector<std::size_t> expected(paths.size());
  for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = i;
  EXPECT_EQ(order, expected);
  EXPECT_TRUE(sameThread);
}

TEST_F(ClassificationBatch, ACallbackExceptionStopsTheBatchAndPropagates) {
  const std::vector<std::string> paths = photoPaths();
  const std::vector<ImageSource> sources(paths.begin(), paths.end());
  int calls = 0;
  EXPECT_THROW(classifier_->classifyEach(sources, {},
                                         [&](BatchItem<Classification>&&) {
                                           if (++calls == 2) throw std::runtime_error("stop");
                                         }),
               std::runtime_error);
  EXPECT_EQ(calls, 2);
  // The module is still usable afterwards.
  EXPECT_TRUE(classifier_->classify(paths.front()).probabilities.size() == 1000u);
}

TEST_F(ClassificationBatch, RawPixelsAndAnEmptyBatchWork) {
  EXPECT_TRUE(classifier_->classifyBatch({}).empty());
  std::vector<std::uint8_t> grey(64 * 48, 128);
  const ImageSource pixels = ImageSource::fromPixels({grey.data(), 64, 48, 0, PixelFormat::Gray});
  const std::vector<ImageSource> sources{pixels};
  const auto items = classifier_->classifyBatch(sources);
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(items[0].ok());
  expectSameClassification(*items[0].result, classifier_->classify(pixels), "grey pixels");
}

TEST(ClassificationBatchLifecycle, BeforeLoadIsModuleNotLoaded) {
  ClassificationModule classifier;
  const std::vector<ImageSource> sources{(test::photosDir() / "skimage_coffee.png").string()};
  try {
    classifier.classifyBatch(sources);
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::ModuleNotLoaded);
  }
}

}  // namespace
}  // namespace etvision
