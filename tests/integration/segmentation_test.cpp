// ImageSegmentationModule end to end: the bundled selfie model against its
// TFLite original, the seed API's semantics (classesOfInterest, resize),
// seeded DeepLabV3 / LRASPP parity with PyTorch, lifecycle and errors, and
// the overlay and mask pictures.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <thread>
#include <vector>

#include "etvision/etvision.h"
#include "etvision/overlay.h"
#include "support/palette_png_reader.h"
#include "support/test_helpers.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

using test::errorCodeOf;
using test::fixturesDir;
using test::PaletteImage;
using test::photosDir;
using test::readJson;
using test::readPalettePng;

template <typename T>
std::vector<T> readBinary(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::vector<T> values(static_cast<std::size_t>(in.tellg()) / sizeof(T));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(values.data()),
          static_cast<std::streamsize>(values.size() * sizeof(T)));
  return values;
}

std::string photo(const char* name) {
  return (photosDir() / name).string();
}

class BundledSelfie : public ::testing::Test {
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
ImageSegmentationModule* BundledSelfie::segmenter_ = nullptr;

// The converted model's person masks against Google's TFLite original
// (ai-edge-litert), recorded by python/selfie/verify_selfie.py.
TEST_F(BundledSelfie, PersonMasksMatchTheTfliteOriginal) {
  const auto reference =
      readJson(test::bundledModelsDir() / "selfie_segmentation" / "reference_masks.json");
  int checked = 0;
  for (const auto& [name, entry] : reference.at("photos").items()) {
    const Segmentation result = segmenter_->forward(photo(name.c_str()), {DeeplabLabel::PERSON});
    ASSERT_EQ(result.width, 256);
    ASSERT_EQ(result.height, 256);
    std::vector<std::uint8_t> expected;
    std::uint8_t value = 0;
    for (const auto& run : entry.at("mask_rle")) {
      expected.insert(expected.end(), run.get<std::size_t>(), value);
      value = static_cast<std::uint8_t>(1 - value);
    }
    ASSERT_EQ(expected.size(), result.argmax.size()) << name;
    std::size_t intersection = 0, unionCount = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const bool ours = result.argmax[i] == 1;
      const bool theirs = expected[i] == 1;
      intersection += ours && theirs;
      unionCount += ours || theirs;
    }
    const double iou = unionCount == 0 ? 1.0 : double(intersection) / double(unionCount);
    std::cout << "[ figures  ] " << name << ": IoU vs TFLite " << iou << ", person share "
              << result.classShares()[1] << " (TFLite " << entry.at("person_fraction") << ")\n";
    EXPECT_GE(iou, 0.98) << name;
    // The probability map is the foreground probability itself.
    const auto& person = result.probabilities.at("PERSON");
    for (std::size_t i = 0; i < person.size(); i += 97) {
      EXPECT_EQ(person[i] > 0.5f, result.argmax[i] == 1);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST_F(BundledSelfie, EmptyClassesOfInterestReturnsOnlyTheArgmax) {
  const Segmentation result = segmenter_->forward(photo("mpl_grace_hopper.jpg"));
  EXPECT_TRUE(result.probabilities.empty());
  EXPECT_EQ(result.argmax.size(), 256u * 256u);
  ASSERT_TRUE(result.labels);
  EXPECT_EQ(*result.labels, (std::vector<std::string>{"BACKGROUND", "PERSON"}));
  EXPECT_EQ(result.imageWidth, 512);
  EXPECT_EQ(result.imageHeight, 600);
}

TEST_F(BundledSelfie, ResizeGivesMapsAtTheOriginalNonSquareSize) {
  const Segmentation small = segmenter_->forward(photo("opencv_messi5.jpg"),
                                                 {DeeplabLabel::PERSON, DeeplabLabel::BACKGROUND});
  const Segmentation full = segmenter_->forward(
      photo("opencv_messi5.jpg"), {DeeplabLabel::PERSON, DeeplabLabel::BACKGROUND}, true);
  EXPECT_EQ(full.width, 548);
  EXPECT_EQ(full.height, 342);
  EXPECT_EQ(full.argmax.size(), 548u * 342u);
  ASSERT_EQ(full.probabilities.size(), 2u);
  EXPECT_EQ(full.probabilities.at("PERSON").size(), 548u * 342u);
  // Nearest neighbour keeps class values; bilinear probabilities stay in
  // [0, 1] and complementary.
  for (std::size_t i = 0; i < full.argmax.size(); i += 31) {
    EXPECT_TRUE(full.argmax[i] == 0 || full.argmax[i] == 1);
    const float p = full.probabilities.at("PERSON")[i];
    EXPECT_GE(p, 0.0f);
    EXPECT_LE(p, 1.0f);
    EXPECT_NEAR(p + full.probabilities.at("BACKGROUND")[i], 1.0f, 1e-5f);
  }
  EXPECT_NEAR(full.classShares()[1], small.classShares()[1], 0.01);

  SegmentOptions options;
  options.outputSize = std::pair{100, 40};
  options.classesOfInterest = {"person"};  // labels match case-insensitively
  const Segmentation custom = segmenter_->segment(photo("opencv_messi5.jpg"), options);
  EXPECT_EQ(custom.width, 100);
  EXPECT_EQ(custom.height, 40);
  EXPECT_EQ(custom.probabilities.at("PERSON").size(), 4000u);
}

TEST_F(BundledSelfie, UnknownClassesAreInvalidUserInput) {
  SegmentOptions options;
  options.classesOfInterest = {"UNICORN"};
  try {
    segmenter_->segment(photo("skimage_astronaut.png"), options);
    FAIL() << "an unknown class was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidUserInput);
    EXPECT_NE(std::string(e.what()).find("UNICORN"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("PERSON"), std::string::npos);
  }
  // CAT is a DeeplabLabel but not a class of the 2-class selfie model.
  EXPECT_EQ(errorCodeOf(
                [&] { segmenter_->forward(photo("skimage_astronaut.png"), {DeeplabLabel::CAT}); }),
            ErrorCode::InvalidUserInput);
  EXPECT_EQ(errorCodeOf([&] {
              segmenter_->forward(photo("skimage_astronaut.png"), {static_cast<DeeplabLabel>(42)});
            }),
            ErrorCode::InvalidUserInput);
  SegmentOptions zero;
  zero.outputSize = std::pair{0, 10};
  EXPECT_EQ(errorCodeOf([&] { segmenter_->segment(photo("skimage_astronaut.png"), zero); }),
            ErrorCode::InvalidUserInput);
}

TEST_F(BundledSelfie, ConcurrentSegmentationsAgree) {
  const auto expected = segmenter_->forward(photo("skimage_astronaut.png")).argmax;
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        if (segmenter_->forward(photo("skimage_astronaut.png")).argmax != expected) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(BundledSelfie, OverlayAndMaskPicturesDecodeAtTheRightSize) {
  SegmentOptions options;
  options.allClasses = true;
  const auto image = photo("opencv_messi5.jpg");
  const Segmentation result = segmenter_->segment(image, options);
  const auto png = renderOverlayPng(image, result);
  const cv::Mat overlay = cv::imdecode(png, cv::IMREAD_COLOR);
  ASSERT_FALSE(overlay.empty());
  EXPECT_EQ(overlay.cols, 548);
  EXPECT_EQ(overlay.rows, 342);
  const cv::Mat original = cv::imread(image, cv::IMREAD_COLOR);
  EXPECT_GT(cv::norm(overlay, original, cv::NORM_L1), 0.0);  // something was drawn

  // The mask is a palette PNG: its indices are the argmax exactly, and
  // decoded to colours (as viewers and OpenCV show it) each pixel has its
  // class's overlay colour.
  const std::vector<std::uint8_t> maskPng = encodeMaskPng(result);
  const PaletteImage mask = readPalettePng(maskPng);
  ASSERT_EQ(mask.width, result.width);
  ASSERT_EQ(mask.height, result.height);
  ASSERT_EQ(mask.palette.size(), result.labels->size());
  for (std::size_t i = 0; i < mask.indices.size(); ++i) {
    ASSERT_EQ(mask.indices[i], static_cast<std::uint8_t>(result.argmax[i])) << "pixel " << i;
  }
  const cv::Mat coloured = cv::imdecode(maskPng, cv::IMREAD_COLOR);
  ASSERT_EQ(coloured.type(), CV_8UC3);
  for (int i = 0; i < coloured.rows * coloured.cols; i += 97) {
    const auto& rgb = mask.palette[mask.indices[i]];
    const cv::Vec3b bgr = coloured.at<cv::Vec3b>(i / coloured.cols, i % coloured.cols);
    EXPECT_EQ(bgr, cv::Vec3b(rgb[2], rgb[1], rgb[0])) << "pixel " << i;
  }
  EXPECT_EQ(errorCodeOf([&] { renderOverlayPng(image, Segmentation{}); }),
            ErrorCode::InvalidUserInput);
}

TEST(SegmentationLifecycle, ForwardBeforeLoadAndAfterUnloadIsModuleNotLoaded) {
  ImageSegmentationModule segmenter;
  EXPECT_EQ(errorCodeOf([&] { segmenter.forward(photo("skimage_astronaut.png")); }),
            ErrorCode::ModuleNotLoaded);
  segmenter.load(MEDIAPIPE_SELFIE);
  const SegmenterInfo info = segmenter.info();
  EXPECT_EQ(info.inputWidth, 256);
  EXPECT_EQ(info.outputWidth, 256);
  EXPECT_EQ(info.labels->size(), 2u);
  segmenter.unload();
  segmenter.unload();
  EXPECT_EQ(errorCodeOf([&] { segmenter.forward(photo("skimage_astronaut.png")); }),
            ErrorCode::ModuleNotLoaded);
}

// Forwards and a decode-ahead batch on one module while it is unloaded and
// reloaded underneath them (scripts/test.sh also runs this under TSan): each
// call gives the right map or ModuleNotLoaded, never anything else.
TEST(SegmentationLifecycle, UnloadAndReloadRacingForwardsAndBatchesNeverCrash) {
  ImageSegmentationModule segmenter;
  segmenter.load(MEDIAPIPE_SELFIE);
  const ImageSource image = photo("skimage_astronaut.png");
  const std::vector<std::int32_t> expected = segmenter.forward(image).argmax;
  std::atomic<bool> stop{false};
  std::atomic<int> results{0};
  std::atomic<int> notLoaded{0};
  std::atomic<int> wrongOrOtherErrors{0};
  auto tally = [&](const std::vector<std::int32_t>& argmax) {
    (argmax == expected ? results : wrongOrOtherErrors)++;
  };
  std::vector<std::thread> workers;
  for (int t = 0; t < 2; ++t) {
    workers.emplace_back([&] {
      while (!stop) {
        try {
          tally(segmenter.forward(image).argmax);
        } catch (const Error& e) {
          (e.code() == ErrorCode::ModuleNotLoaded ? notLoaded : wrongOrOtherErrors)++;
        }
      }
    });
  }
  workers.emplace_back([&] {
    const std::vector<ImageSource> batch(4, image);
    while (!stop) {
      try {
        for (auto& item : segmenter.segmentBatch(batch)) {
          if (item.ok()) {
            tally(item.result->argmax);
          } else {
            (item.error->code() == ErrorCode::ModuleNotLoaded ? notLoaded : wrongOrOtherErrors)++;
          }
        }
      } catch (const Error& e) {
        (e.code() == ErrorCode::ModuleNotLoaded ? notLoaded : wrongOrOtherErrors)++;
      }
    }
  });
  // Each cycle unloads only after a worker got a result from the loaded
  // model, and reloads only after one saw it unloaded: both states are
  // exercised whatever the machine's speed.
  for (int cycle = 0; cycle < 6; ++cycle) {
    test::waitForNextCount(results);
    segmenter.unload();
    test::waitForNextCount(notLoaded);
    segmenter.load(MEDIAPIPE_SELFIE);
  }
  stop = true;
  for (auto& worker : workers) worker.join();
  EXPECT_GT(results.load(), 0);
  EXPECT_EQ(wrongOrOtherErrors.load(), 0);
  std::cout << "[ figures  ] results: " << results << ", ModuleNotLoaded: " << notLoaded << "\n";
}
TEST(SegmentationModels, OutputShapeIsValidatedAgainstTheLabels) {
  ImageSegmentationModule segmenter;
  // A (foreign: no metadata to say so) classifier's [1, 1000] output is not a map.
  EXPECT_EQ(errorCodeOf([&] {
              segmenter.load(
                  modelFromString((fixturesDir() / "tiny_seed1_64x64_fp32_foreign.pte").string()));
            }),
            ErrorCode::InvalidModelOutput);
  // The selfie model with VOC's 21 labels: 2 classes out, 21 labels known.
  ModelDescriptor wrongLabels = MEDIAPIPE_SELFIE;
  wrongLabels.labels = test::vocLabelNames();
  try {
    segmenter.load(wrongLabels);
    FAIL() << "a 2-class model loaded with 21 labels";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidModelOutput);
    EXPECT_NE(std::string(e.what()).find("21 labels"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(segmenter.isLoaded());
}

// Seeded-weight torchvision segmenters through etvision against PyTorch eager,
// as recorded by python/export_segmenter.py --reference-dir.
void expectSegmentationParity(const std::string& stem) {
  const auto expected = readJson(fixturesDir() / (stem + ".expected.json"));
  ModelDescriptor model;
  model.name = stem;
  model.modelSource = (fixturesDir() / expected.at("model").get<std::string>()).string();
  model.normalization = kImageNetNormalization;
  ImageSegmentationModule segmenter;
  segmenter.load(model);
  SegmentOptions options;
  options.allClasses = true;
  const Segmentation result = segmenter.segment(
      (fixturesDir() / expected.at("image").get<std::string>()).string(), options);

  const auto probabilities = readBinary<float>(fixturesDir() / (stem + ".expected_probs.bin"));
  const auto argmax = readBinary<std::int32_t>(fixturesDir() / (stem + ".expected_argmax.bin"));
  const std::size_t pixels = static_cast<std::size_t>(result.width) * result.height;
  ASSERT_EQ(argmax.size(), pixels);
  ASSERT_EQ(probabilities.size(), pixels * result.labels->size());

  std::size_t agree = 0;
  for (std::size_t i = 0; i < pixels; ++i) agree += result.argmax[i] == argmax[i];
  double maxDifference = 0.0;
  for (std::size_t c = 0; c < result.labels->size(); ++c) {
    const auto& ours = result.probabilities.at((*result.labels)[c]);
    for (std::size_t i = 0; i < pixels; ++i) {
      maxDifference =
          std::max(maxDifference, std::abs(double(ours[i]) - probabilities[c * pixels + i]));
    }
  }
  const double agreement = double(agree) / double(pixels);
  std::cout << "[ figures  ] " << stem << ": argmax agreement " << agreement * 100.0
            << "%, max |probability diff| " << maxDifference << "\n";
  EXPECT_GE(agreement, 0.999);
  EXPECT_LE(maxDifference, 1e-4);
}

TEST(SegmentationParity, DeepLabV3ResNet50MatchesPyTorchEager) {
  expectSegmentationParity("deeplabv3_resnet50_seed0_224x224_fp32");
}

TEST(SegmentationParity, LrasppMobileNetV3MatchesPyTorchEager) {
  expectSegmentationParity("lraspp_mobilenet_v3_large_seed0_224x224_fp32");
}

}  // namespace
}  // namespace etvision
