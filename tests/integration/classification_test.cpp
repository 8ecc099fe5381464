// ClassificationModule end to end on the real ExecuTorch runtime: the bundled
// MobileNetV2 on real photos, EfficientNetV2-S parity with PyTorch, the
// lifecycle, concurrency and every model-side error.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "etvision/etvision.h"
#include "support/test_helpers.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

using test::errorCodeOf;
using test::fixturesDir;
using test::photosDir;
using test::readJson;

ModelDescriptor fixtureModel(const std::string& file, std::optional<Normalization> norm,
                             std::vector<std::string> labels = {}) {
  ModelDescriptor model;
  model.name = file;
  model.modelSource = (fixturesDir() / file).string();
  model.normalization = norm;
  model.labels = std::move(labels);
  return model;
}

// One loaded bundled model shared by the tests of this suite (loading is cheap
// but not free).
class BundledMobileNet : public ::testing::Test {
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
ClassificationModule* BundledMobileNet::classifier_ = nullptr;

TEST_F(BundledMobileNet, TopOneMatchesTheReferenceOnEveryPhoto) {
  const auto reference = readJson(test::testDataDir() / "mobilenet_v2_reference_top5.json");
  const auto& expected = reference.at("rne_stretch");
  int checked = 0;
  double maxProbabilityDifference = 0.0;
  for (const auto& entry : std::filesystem::directory_iterator(photosDir())) {
    const std::string name = entry.path().filename().string();
    if (!expected.contains(name)) continue;
    const Classification result = classifier_->classify(entry.path().string(), {.maxResults = 5});
    const auto& top = expected.at(name);
    ASSERT_EQ(result.categories.size(), 5u);
    for (std::size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(result.categories[i].index, top.at(i).at("index").get<int>()) << name << " #" << i;
    }
    const double difference =
        std::abs(result.categories.front().probability - top.at(0).at("prob").get<double>());
    maxProbabilityDifference = std::max(maxProbabilityDifference, difference);
    EXPECT_LT(difference, 1e-3) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 10);
  std::cout << "[ figures  ] photos checked: " << checked
            << ", max |top-1 probability - reference|: " << maxProbabilityDifference << "\n";
}

TEST_F(BundledMobileNet, ForwardReturnsEveryLabelWithItsProbability) {
  const auto byLabel = classifier_->forward((photosDir() / "skimage_coffee.png").string());
  ASSERT_EQ(byLabel.size(), 1000u);
  EXPECT_TRUE(byLabel.contains("crane(bird)"));
  EXPECT_TRUE(byLabel.contains("crane(machine)"));
  double sum = 0.0;
  for (const auto& [label, probability] : byLabel) sum += probability;
  EXPECT_NEAR(sum, 1.0, 1e-4);
  EXPECT_GT(byLabel.at("espresso"), 0.9f);
}

TEST_F(BundledMobileNet, ClassifyOptionsLimitAndThreshold) {
  const auto image = (photosDir() / "skimage_chelsea.png").string();
  const auto all = classifier_->classify(image);
  EXPECT_EQ(all.categories.size(), 1000u);
  EXPECT_EQ(all.probabilities.size(), 1000u);
  EXPECT_EQ(all.logits.size(), 1000u);
  EXPECT_EQ(all.imageWidth, 451);
  EXPECT_EQ(all.imageHeight, 300);
  for (std::size_t i = 1; i < all.categories.size(); ++i) {
    EXPECT_GE(all.categories[i - 1].probability, all.categories[i].probability);
  }
  const auto top3 = classifier_->classify(image, {.maxResults = 3});
  ASSERT_EQ(top3.categories.size(), 3u);
  EXPECT_EQ(top3.categories[0].label, "Egyptian cat");
  const auto confident = classifier_->classify(image, {.scoreThreshold = 0.1f});
  ASSERT_FALSE(confident.categories.empty());
  for (const auto& c : confident.categories) EXPECT_GE(c.probability, 0.1f);
  EXPECT_LT(confident.categories.size(), 10u);
}

TEST_F(BundledMobileNet, InfoDescribesTheModel) {
  const ClassifierInfo info = classifier_->info();
  EXPECT_EQ(info.name, "mobilenet_v2");
  EXPECT_EQ(info.inputWidth, 224);
  EXPECT_EQ(info.inputHeight, 224);
  EXPECT_EQ(info.numLabels, 1000u);
}

TEST_F(BundledMobileNet, ConcurrentForwardsOnOneModuleAllGetTheRightAnswer) {
  const std::vector<std::string> images{(photosDir() / "skimage_chelsea.png").string(),
                                        (photosDir() / "skimage_coffee.png").string(),
                                        (photosDir() / "wonnx_pelican.jpeg").string()};
  std::vector<std::vector<float>> expected;
  for (const auto& image : images) expected.push_back(classifier_->classify(image).logits);

  constexpr int kThreads = 4;
  constexpr int kRounds = 3;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        const std::size_t which = static_cast<std::size_t>(t + round) % images.size();
        if (classifier_->classify(images[which]).logits != expected[which]) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(BundledMobileNet, AsyncVariantsMatchTheSyncResult) {
  const auto image = (photosDir() / "wonnx_pelican.jpeg").string();
  auto future = classifier_->classifyAsync(image, {.maxResults = 1});
  const auto result = future.get();
  EXPECT_EQ(result.categories.at(0).label, "pelican");
  EXPECT_EQ(result.logits, classifier_->classify(image).logits);
}

TEST(ClassificationLifecycle, ForwardBeforeLoadAndAfterUnloadIsModuleNotLoaded) {
  ClassificationModule classifier;
  const std::string image = (photosDir() / "skimage_chelsea.png").string();
  EXPECT_FALSE(classifier.isLoaded());
  try {
    classifier.forward(image);
    FAIL() << "forward before load succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ModuleNotLoaded);
    EXPECT_STREQ(e.what(),
                 "The model is currently not loaded. Please load the model before calling "
                 "forward().");
  }
  EXPECT_EQ(errorCodeOf([&] { classifier.info(); }), ErrorCode::ModuleNotLoaded);

  classifier.load(MOBILENET_V2);
  EXPECT_TRUE(classifier.isLoaded());
  EXPECT_EQ(classifier.classify(image, {.maxResults = 1}).categories.at(0).label, "Egyptian cat");

  classifier.unload();
  classifier.unload();  // twice is harmless
  EXPECT_FALSE(classifier.isLoaded());
  EXPECT_EQ(errorCodeOf([&] { classifier.forward(image); }), ErrorCode::ModuleNotLoaded);

  classifier.loadAsync(MOBILENET_V2).get();  // usable again after a reload
  EXPECT_EQ(classifier.classify(image, {.maxResults = 1}).categories.at(0).label, "Egyptian cat");
}

TEST(ClassificationLifecycle, UnloadAndReloadRacingForwardsNeverCrash) {
  ClassificationModule classifier;
  classifier.load(MOBILENET_V2);
  const std::string image = (photosDir() / "winml_kitten_224.png").string();
  std::atomic<bool> stop{false};
  std::atomic<int> results{0};
  std::atomic<int> notLoaded{0};
  std::atomic<int> otherErrors{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 3; ++t) {
    workers.emplace_back([&] {
      while (!stop) {
        try {
          const auto result = classifier.classify(image, {.maxResults = 1});
          if (result.categories.at(0).label.starts_with("tabby")) ++results;
        } catch (const Error& e) {
          (e.code() == ErrorCode::ModuleNotLoaded ? notLoaded : otherErrors)++;
        }
      }
    });
  }
  // Each cycle unloads only after a worker got a result from the loaded
  // model, and reloads only after one saw it unloaded: both states are
  // exercised whatever the machine's speed.
  for (int cycle = 0; cycle < 6; ++cycle) {
    test::waitForNextCount(results);
    classifier.unload();
    test::waitForNextCount(notLoaded);
    classifier.load(MOBILENET_V2);
  }
  stop = true;
  for (auto& worker : workers) worker.join();
  EXPECT_GT(results.load(), 0);
  EXPECT_EQ(otherErrors.load(), 0);
  std::cout << "[ figures  ] results: " << results << ", ModuleNotLoaded: " << notLoaded << "\n";
}

TEST(ClassificationModels, NotAPteFileIsInvalidProgram) {
  ClassificationModule classifier;
  ModelDescriptor model{.name = "photo",
                        .modelSource = (photosDir() / "skimage_chelsea.png").string()};
  try {
    classifier.load(model);
    FAIL() << "a PNG loaded as a model";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidProgram) << e.what();
    EXPECT_NE(std::string(e.what()).find("skimage_chelsea.png"), std::string::npos);
  }
  EXPECT_FALSE(classifier.isLoaded());
}

TEST(ClassificationModels, MissingModelFileIsInvalidModelSource) {
  ClassificationModule classifier;
  EXPECT_EQ(
      errorCodeOf([&] { classifier.load({.name = "x", .modelSource = "/nonexistent/model.pte"}); }),
      ErrorCode::InvalidModelSource);
  EXPECT_EQ(errorCodeOf([&] { classifier.load({.name = "x", .modelSource = ""}); }),
            ErrorCode::InvalidModelSource);
}

TEST(ClassificationModels, WrongInputRankOrDtypeIsWrongDimensions) {
  ClassificationModule classifier;
  for (const char* file : {"bad_input_rank3.pte", "bad_input_uint8.pte", "bad_input_int64.pte",
                           "bad_two_inputs.pte"}) {
    try {
      classifier.load(fixtureModel(file, std::nullopt));
      FAIL() << file << " loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::WrongDimensions) << file << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find("[1, 3, H, W]"), std::string::npos) << e.what();
    }
  }
}

// Found by fuzz/fuzz_model_load: small .pte files declaring absurd planned
// memory (1.8 GB, 6e18 bytes) once made load() allocate it or throw
// std::bad_alloc. They must be refused with a coded error, allocating nothing.
TEST(ClassificationModels, HostileMemoryPlansAreInvalidProgram) {
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(test::fuzzRegressionsDir() / "fuzz_model_load")) {
    ClassificationModule classifier;
    EXPECT_EQ(errorCodeOf(
                  [&] { classifier.load({.name = "fuzz", .modelSource = entry.path().string()}); }),
              ErrorCode::InvalidProgram)
        << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

TEST(ClassificationModels, OutputCountMustMatchTheLabels) {
  ClassificationModule classifier;
  try {
    classifier.load(fixtureModel("bad_output_10.pte", std::nullopt));
    FAIL() << "a 10-output model loaded with 1000 ImageNet labels";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidModelOutput);
    EXPECT_NE(std::string(e.what()).find("10"), std::string::npos) << e.what();
  }
  // With its own ten labels, the same model is a valid custom classifier.
  std::vector<std::string> digits;
  for (int i = 0; i < 10; ++i) digits.push_back("digit " + std::to_string(i));
  classifier.load(fixtureModel("bad_output_10.pte", std::nullopt, digits));
  const auto byLabel = classifier.forward((photosDir() / "skimage_chelsea.png").string());
  EXPECT_EQ(byLabel.size(), 10u);
  EXPECT_TRUE(byLabel.contains("digit 7"));
}

// Seeded-weight models through etvision (ExecuTorch + XNNPACK, our image
// pipeline) against PyTorch eager on the same weights and input, as recorded
// by python/export_classifier.py --reference-dir.
void expectParityWithPyTorch(const std::string& expectedJson) {
  const auto expected = readJson(fixturesDir() / expectedJson);
  std::optional<Normalization> normalization;
  if (expected.at("normalize") == "outside") {
    normalization = Normalization{expected.at("mean").get<std::array<float, 3>>(),
                                  expected.at("std").get<std::array<float, 3>>()};
  }
  ClassificationModule classifier;
  classifier.load(fixtureModel(expected.at("model").get<std::string>(), normalization));
  const auto result = classifier.classify(
      (fixturesDir() / expected.at("image").get<std::string>()).string(), {.maxResults = 5});
  const auto reference = expected.at("logits").get<std::vector<float>>();
  ASSERT_EQ(result.logits.size(), reference.size());
  double maxDifference = 0.0;
  double maxMagnitude = 0.0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    maxDifference = std::max(maxDifference, std::abs(double(result.logits[i]) - reference[i]));
    maxMagnitude = std::max(maxMagnitude, std::abs(double(reference[i])));
  }
  std::cout << "[ figures  ] " << expectedJson << ": max |logit diff| vs PyTorch eager "
            << maxDifference << " (max |logit| " << maxMagnitude << ")\n";
  EXPECT_LE(maxDifference, 1e-4);
  const auto top5 = expected.at("top5").get<std::vector<int>>();
  ASSERT_EQ(result.categories.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(result.categories[i].index, top5[i]) << i;
}

TEST(ClassificationParity, EfficientNetV2SMatchesPyTorchEager) {
  expectParityWithPyTorch("efficientnet_v2_s_seed0_224x224_fp32.expected.json");
}

// Another input size (64x64), with the normalisation applied by etvision.
TEST(ClassificationParity, TinyModelWithOutsideNormalisationMatchesPyTorchEager) {
  expectParityWithPyTorch("tiny_seed1_64x64_fp32.expected.json");
}

}  // namespace
}  // namespace etvision
