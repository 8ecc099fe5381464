// Self-describing models: the programs etvision's export tools write carry
// their task, preprocessing and labels (src/tasks/model_metadata.h), so a
// .pte given by path runs exactly as by name; a foreign .pte keeps the
// reference's behaviour ([0, 1] input, the task's labels).
#include <gtest/gtest.h>

#include <string>

#include "etvision/etvision.h"
#include "support/test_helpers.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

using test::bundledModelsDir;
using test::fixturesDir;
using test::photosDir;

ModelDescriptor byPath(const std::filesystem::path& path) {
  return modelFromString(path.string());
}

std::string messageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "no etvision::Error thrown";
  return {};
}

TEST(SelfDescribingModel, TheBundledClassifierByPathGivesWhatItGivesByName) {
  const std::string photo = (photosDir() / "skimage_coffee.png").string();
  ClassificationModule byName;
  byName.load(MOBILENET_V2);
  ClassificationModule byFile;
  byFile.load(byPath(bundledModelsDir() / "mobilenet_v2" / "mobilenet_v2_xnnpack_fp32.pte"));

  const Classification expected = byName.classify(photo, {.maxResults = 1});
  const Classification got = byFile.classify(photo, {.maxResults = 1});
  EXPECT_EQ(got.probabilities, expected.probabilities);  // bit for bit
  EXPECT_EQ(got.categories[0].label, "espresso");
  EXPECT_GT(got.categories[0].probability, 0.9f);

  const ClassifierInfo info = byFile.info();
  EXPECT_TRUE(info.metadataFromModel);
  EXPECT_EQ(info.name, "mobilenet_v2");  // the name it carries, not its path
  ASSERT_TRUE(info.normalization);
  EXPECT_EQ(info.normalization->mean, kImageNetNormalization.mean);
  EXPECT_TRUE(byName.info().metadataFromModel);
  EXPECT_EQ(byName.info().name, "mobilenet_v2");
}

TEST(SelfDescribingModel, TheBundledSelfieByPathGivesWhatItGivesByName) {
  const std::string photo = (photosDir() / "skimage_astronaut.png").string();
  ImageSegmentationModule byName;
  byName.load(MEDIAPIPE_SELFIE);
  ImageSegmentationModule byFile;
  byFile.load(
      byPath(bundledModelsDir() / "selfie_segmentation" / "selfie_segmentation_xnnpack_fp32.pte"));
  const Segmentation expected = byName.segment(photo, {.classesOfInterest = {"PERSON"}});
  const Segmentation got = byFile.segment(photo, {.classesOfInterest = {"PERSON"}});
  EXPECT_EQ(got.argmax, expected.argmax);
  EXPECT_EQ(got.probabilities, expected.probabilities);
  EXPECT_EQ(*got.labels, (std::vector<std::string>{"BACKGROUND", "PERSON"}));
  const SegmenterInfo info = byFile.info();
  EXPECT_TRUE(info.metadataFromModel);
  EXPECT_EQ(info.name, "mediapipe_selfie");
  EXPECT_FALSE(info.normalization);
}

TEST(SelfDescribingModel, AForeignPteKeepsTheReferenceBehaviourUnlessTheDescriptorSaysMore) {
  // The same program exported with and without metadata (python/make_fixtures.py).
  const std::string photo = (photosDir() / "skimage_chelsea.png").string();
  ClassificationModule described;
  described.load(byPath(fixturesDir() / "tiny_seed1_64x64_fp32.pte"));
  ClassificationModule foreign;
  foreign.load(byPath(fixturesDir() / "tiny_seed1_64x64_fp32_foreign.pte"));

  const ClassifierInfo info = foreign.info();
  EXPECT_FALSE(info.metadataFromModel);
  EXPECT_FALSE(info.normalization);  // [0, 1] input, as the reference feeds it
  EXPECT_EQ(info.numLabels, 1000u);  // the task's ImageNet labels
  EXPECT_NE(foreign.classify(photo).probabilities, described.classify(photo).probabilities);

  // Told the normalisation, the foreign program gives the described one's answer.
  ModelDescriptor told = byPath(fixturesDir() / "tiny_seed1_64x64_fp32_foreign.pte");
  told.normalization = kImageNetNormalization;
  foreign.load(told);
  EXPECT_EQ(foreign.classify(photo).probabilities, described.classify(photo).probabilities);
}

TEST(SelfDescribingModel, ADescriptorMayRepeatTheModelsNormalisationButNotContradictIt) {
  ModelDescriptor model = byPath(fixturesDir() / "tiny_seed1_64x64_fp32.pte");
  model.normalization = kImageNetNormalization;
  ClassificationModule classifier;
  classifier.load(model);  // the same as the model carries
  EXPECT_TRUE(classifier.isLoaded());

  model.normalization = Normalization{{0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}};
  const std::string message = messageOf([&] { classifier.load(model); });
  EXPECT_NE(message.find("differs from the one"), std::string::npos) << message;
  EXPECT_NE(message.find("leave ModelDescriptor::normalization unset"), std::string::npos);
  EXPECT_EQ(test::errorCodeOf([&] { classifier.load(model); }), ErrorCode::InvalidUserInput);
  EXPECT_EQ(classifier.info().normalization->mean, kImageNetNormalization.mean);  // kept
}

TEST(SelfDescribingModel, DescriptorLabelsWinOverTheModelsOwn) {
  ModelDescriptor model = byPath(fixturesDir() / "tiny_seed1_64x64_fp32.pte");
  for (int i = 0; i < 1000; ++i) model.labels.push_back("class " + std::to_string(i));
  ClassificationModule classifier;
  classifier.load(model);
  const Classification result =
      classifier.classify((photosDir() / "skimage_chelsea.png").string(), {.maxResults = 1});
  EXPECT_EQ(result.categories[0].label, "class " + std::to_string(result.categories[0].index));
}

TEST(SelfDescribingModel, AModelOfTheOtherTaskSaysWhichModuleToUse) {
  ClassificationModule classifier;
  const std::string message = messageOf([&] {
    classifier.load(byPath(bundledModelsDir() / "selfie_segmentation" /
                           "selfie_segmentation_xnnpack_fp32.pte"));
  });
  EXPECT_NE(message.find("is a segmentation model"), std::string::npos) << message;
  EXPECT_NE(message.find("ImageSegmentationModule"), std::string::npos) << message;
  EXPECT_FALSE(classifier.isLoaded());

  ImageSegmentationModule segmenter;
  EXPECT_EQ(test::errorCodeOf([&] { segmenter.load(MOBILENET_V2); }), ErrorCode::InvalidUserInput);
}

TEST(SelfDescribingModel, MalformedMetadataIsInvalidConfig) {
  for (const char* file :
       {"bad_metadata_int.pte", "bad_metadata_json.pte", "bad_metadata_v99.pte"}) {
    ClassificationModule classifier;
    EXPECT_EQ(test::errorCodeOf([&] { classifier.load(byPath(fixturesDir() / file)); }),
              ErrorCode::InvalidConfig)
        << file;
    EXPECT_FALSE(classifier.isLoaded());
  }
}

}  // namespace
}  // namespace etvision
