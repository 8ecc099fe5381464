// Video files end to end (etvision/video.h): the test videos are generated
// here, from the bundled photos, with OpenCV's writer (nothing committed).
// Frames carry their index as a row of black/white blocks in the top-left
// corner, so order survives lossy codecs and can be read back.
//
// No timing assertions: the live-policy test slows inference down and checks
// only the bookkeeping (drops happened, every frame is processed or dropped,
// indices increase).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "etvision/etvision.h"
#include "etvision/video.h"
#include "support/http_test_server.h"
#include "support/test_files.h"
#include "support/test_helpers.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

namespace fs = std::filesystem;
using test::photosDir;
using test::TempDir;

constexpr int kWidth = 320;
constexpr int kHeight = 240;
constexpr int kCodeBits = 5;
constexpr int kCodeBlock = 24;

// --- generating and reading test videos ---------------------------------------

cv::Mat photoFrame(const char* name, int width = kWidth, int height = kHeight) {
  const cv::Mat photo = cv::imread((photosDir() / name).string(), cv::IMREAD_COLOR);
  if (photo.empty()) throw std::runtime_error(std::string("cannot read photo ") + name);
  cv::Mat frame;
  cv::resize(photo, frame, cv::Size(width, height), 0, 0, cv::INTER_AREA);
  return frame;
}

/// `base` with `index` written as kCodeBits blocks (white = 1) in the corner.
cv::Mat codedFrame(const cv::Mat& base, int index) {
  cv::Mat frame = base.clone();
  for (int bit = 0; bit < kCodeBits; ++bit) {
    const cv::Scalar colour = (index >> bit) & 1 ? cv::Scalar(255, 255, 255) : cv::Scalar(0, 0, 0);
    cv::rectangle(frame, cv::Rect(bit * kCodeBlock, 0, kCodeBlock, kCodeBlock), colour, cv::FILLED);
  }
  return frame;
}

/// The index codedFrame() wrote, read from the blocks' centres (BGR or RGB).
int decodeIndex(const cv::Mat& frame) {
  int index = 0;
  for (int bit = 0; bit < kCodeBits; ++bit) {
    const cv::Rect centre(bit * kCodeBlock + 6, 6, kCodeBlock - 12, kCodeBlock - 12);
    const cv::Scalar mean = cv::mean(frame(centre));
    if ((mean[0] + mean[1] + mean[2]) / 3.0 > 128.0) index |= 1 << bit;
  }
  return index;
}

void writeVideo(const fs::path& path, const std::vector<cv::Mat>& frames, double fps,
                const char* fourcc = "mp4v") {
  cv::VideoWriter writer(path.string(), cv::CAP_FFMPEG,
                         cv::VideoWriter::fourcc(fourcc[0], fourcc[1], fourcc[2], fourcc[3]), fps,
                         frames.front().size(), {cv::VIDEOWRITER_PROP_IS_COLOR, 1});
  ASSERT_TRUE(writer.isOpened()) << path;
  for (const cv::Mat& frame : frames) writer.write(frame);
}

/// `count` frames of `photo`, each coded with its index.
std::vector<cv::Mat> codedFrames(int count, const char* photo = "skimage_astronaut.png") {
  const cv::Mat base = photoFrame(photo);
  std::vector<cv::Mat> frames;
  for (int i = 0; i < count; ++i) frames.push_back(codedFrame(base, i));
  return frames;
}

struct DecodedVideo {
  int width = 0;
  int height = 0;
  double fps = 0.0;
  std::vector<cv::Mat> frames;  // BGR
};

DecodedVideo readVideo(const fs::path& path) {
  DecodedVideo video;
  cv::VideoCapture capture(path.string(), cv::CAP_FFMPEG);
  if (!capture.isOpened()) return video;
  video.width = static_cast<int>(capture.get(cv::CAP_PROP_FRAME_WIDTH));
  video.height = static_cast<int>(capture.get(cv::CAP_PROP_FRAME_HEIGHT));
  video.fps = capture.get(cv::CAP_PROP_FPS);
  cv::Mat frame;
  while (capture.read(frame)) video.frames.push_back(frame.clone());
  return video;
}

std::vector<std::string> filesIn(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// The first half of `from`'s bytes, as `to`.
void truncateCopy(const fs::path& from, const fs::path& to) {
  std::vector<std::uint8_t> bytes = test::readFileBytes(from);
  bytes.resize(bytes.size() / 2);
  test::writeFileBytes(to, bytes);
}

/// Runs `f`, expecting an etvision::Error with `code` whose message holds
/// `needle`; returns the message.
template <typename F>
std::string expectError(ErrorCode code, const std::string& needle, F&& f) {
  try {
    f();
  } catch (const Error& e) {
    std::cout << "[ message  ] " << e.what() << "\n";
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message lacks '" << needle << "': " << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no etvision::Error thrown";
  return {};
}

// --- the models, loaded once --------------------------------------------------

class Video : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    segmenter_ = new ImageSegmentationModule();
    segmenter_->load(MEDIAPIPE_SELFIE);
    classifier_ = new ClassificationModule();
    classifier_->load(MOBILENET_V2);
  }
  static void TearDownTestSuite() {
    delete segmenter_;
    delete classifier_;
    segmenter_ = nullptr;
    classifier_ = nullptr;
  }

  /// A 12-frame, 10 fps coded astronaut video in the temp folder.
  fs::path codedVideo(int count = 12, const char* name = "in.mp4", double fps = 10.0) {
    const fs::path path = dir_.path() / name;
    writeVideo(path, codedFrames(count), fps);
    return path;
  }

  static ImageSegmentationModule* segmenter_;
  static ClassificationModule* classifier_;
  TempDir dir_;
};
ImageSegmentationModule* Video::segmenter_ = nullptr;
ClassificationModule* Video::classifier_ = nullptr;

// --- reading ----------------------------------------------------------------------

TEST_F(Video, ReaderDeliversEveryFrameInOrderWithItsSizeAndTimestamp) {
  const fs::path path = codedVideo();
  VideoReader reader(VideoInput::file(path));
  EXPECT_EQ(reader.info().width, kWidth);
  EXPECT_EQ(reader.info().height, kHeight);
  EXPECT_DOUBLE_EQ(reader.info().fps, 10.0);
  EXPECT_EQ(reader.info().frameCount, 12);
  EXPECT_EQ(reader.info().codec, "mp4v");
  EXPECT_FALSE(reader.info().live);
  std::int64_t expected = 0;
  while (std::optional<VideoFrame> frame = reader.read()) {
    ASSERT_EQ(frame->index, expected);
    ASSERT_EQ(frame->width, kWidth);
    ASSERT_EQ(frame->height, kHeight);
    ASSERT_EQ(frame->rgb.size(), static_cast<std::size_t>(kWidth * kHeight * 3));
    // The container's timestamps: frame i at i / 10 s.
    EXPECT_NEAR(frame->timestamp, static_cast<double>(expected) / 10.0, 1e-3);
    const cv::Mat rgb(frame->height, frame->width, CV_8UC3, frame->rgb.data());
    EXPECT_EQ(decodeIndex(rgb), expected);
    ++expected;
  }
  EXPECT_EQ(expected, 12);
  EXPECT_FALSE(reader.read());  // stays at the end
}

TEST_F(Video, ReaderConvertsToRgb) {
  // A pure blue frame (BGR 255,0,0) must arrive as RGB 0,0,255.
  const fs::path path = dir_.path() / "blue.avi";
  writeVideo(path, {cv::Mat(64, 64, CV_8UC3, cv::Scalar(255, 0, 0))}, 5.0, "MJPG");
  VideoReader reader(VideoInput::file(path));
  const std::optional<VideoFrame> frame = reader.read();
  ASSERT_TRUE(frame);
  const std::size_t centre = (32 * 64 + 32) * 3;
  EXPECT_LT(frame->rgb[centre + 0], 30);
  EXPECT_LT(frame->rgb[centre + 1], 30);
  EXPECT_GT(frame->rgb[centre + 2], 220);
}

TEST(VideoInputTest, DescribesEachKindOfSource) {
  EXPECT_EQ(VideoInput::file("in.mp4").describe(), "file 'in.mp4'");
  EXPECT_EQ(VideoInput::camera(2).describe(), "camera /dev/video2");
  EXPECT_EQ(VideoInput::camera(2).cameraIndex, 2);
  EXPECT_EQ(VideoInput::camera("/dev/video5").describe(), "camera /dev/video5");
  EXPECT_EQ(VideoInput::camera("/dev/video5").cameraIndex, -1);
  // Credentials in a stream URL never reach a message.
  const std::string stream = VideoInput::stream("rtsp://user:secret@cam.local/live").describe();
  EXPECT_EQ(stream.find("secret"), std::string::npos) << stream;
  EXPECT_TRUE(VideoInput::stream("rtsp://cam/live").live());
  EXPECT_TRUE(VideoInput::camera(0).live());
  EXPECT_FALSE(VideoInput::file("a.mp4").live());
  VideoInput paced = VideoInput::file("a.mp4");
  paced.paced = true;
  EXPECT_TRUE(paced.live());
}

// --- segmentVideo -------------------------------------------------------------------

TEST_F(Video, SegmentingWritesTheSameFrameCountSizeRateAndOrder) {
  const fs::path input = codedVideo();
  const fs::path output = dir_.path() / "out.mp4";
  VideoSegmentOptions options;
  // The overlay tints only the person; the corner code stays readable.
  options.effect.kind = EffectKind::Overlay;
  options.output = output;
  const VideoSummary summary = segmentVideo(*segmenter_, VideoInput::file(input), options);
  EXPECT_EQ(summary.frames, 12);
  EXPECT_EQ(summary.dropped, 0);
  EXPECT_EQ(summary.input.frameCount, 12);
  // Debian's FFmpeg has libx264.
  EXPECT_EQ(summary.outputCodec, "h264");
  EXPECT_GT(summary.seconds, 0.0);

  const DecodedVideo written = readVideo(output);
  EXPECT_EQ(written.width, kWidth);
  EXPECT_EQ(written.height, kHeight);
  EXPECT_DOUBLE_EQ(written.fps, 10.0);
  ASSERT_EQ(written.frames.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(decodeIndex(written.frames[i]), i) << "frame " << i;
  // The temporary file was renamed, nothing else is left beside the output.
  EXPECT_EQ(filesIn(dir_.path()), (std::vector<std::string>{"in.mp4", "out.mp4"}));
}

TEST_F(Video, SegmentingCallsOnFrameAndOnProgressForEveryFrameInOrder) {
  const fs::path input = codedVideo();
  VideoSegmentOptions options;
  options.effect.kind = EffectKind::None;  // segmentation only
  std::vector<std::int64_t> indices;
  std::vector<double> timestamps;
  std::vector<std::pair<std::int64_t, std::int64_t>> progress;
  const std::thread::id caller = std::this_thread::get_id();
  options.onFrame = [&](const SegmentedFrame& frame) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    indices.push_back(frame.index);
    timestamps.push_back(frame.timestamp);
    ASSERT_TRUE(frame.labels);
    ASSERT_EQ(frame.labels->size(), 2u);  // BACKGROUND, PERSON
    ASSERT_EQ(frame.classShares.size(), 2u);
    EXPECT_NEAR(frame.classShares[0] + frame.classShares[1], 1.0, 1e-9);
    EXPECT_GT(frame.classShares[1], 0.1) << "the astronaut is found in frame " << frame.index;
  };
  options.onProgress = [&](std::int64_t done, std::int64_t total) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    progress.emplace_back(done, total);
    return false;
  };
  const VideoSummary summary = segmentVideo(*segmenter_, VideoInput::file(input), options);
  EXPECT_EQ(summary.frames, 12);
  EXPECT_TRUE(summary.outputCodec.empty());
  ASSERT_EQ(indices.size(), 12u);
  for (std::size_t i = 0; i < indices.size(); ++i) {
    EXPECT_EQ(indices[i], static_cast<std::int64_t>(i));
    EXPECT_NEAR(timestamps[i], static_cast<double>(i) / 10.0, 1e-3);
    EXPECT_EQ(progress[i], std::make_pair(static_cast<std::int64_t>(i + 1), std::int64_t{12}));
  }
}

TEST_F(Video, StoppingEarlyCompletesTheOutputWithTheFramesDone) {
  const fs::path input = codedVideo();
  const fs::path output = dir_.path() / "first5.mkv";
  VideoSegmentOptions options;
  options.effect.kind = EffectKind::Overlay;
  options.output = output;
  options.onProgress = [](std::int64_t done, std::int64_t) { return done == 5; };
  const VideoSummary summary = segmentVideo(*segmenter_, VideoInput::file(input), options);
  EXPECT_EQ(summary.frames, 5);
  const DecodedVideo written = readVideo(output);
  ASSERT_EQ(written.frames.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(decodeIndex(written.frames[i]), i);

  // maxFrames does the same, and caps the total onProgress reports.
  options.output = dir_.path() / "first3.avi";
  std::int64_t lastTotal = 0;
  options.onProgress = [&](std::int64_t, std::int64_t total) {
    lastTotal = total;
    return false;
  };
  options.maxFrames = 3;
  EXPECT_EQ(segmentVideo(*segmenter_, VideoInput::file(input), options).frames, 3);
  EXPECT_EQ(lastTotal, 3);
  EXPECT_EQ(readVideo(options.output).frames.size(), 3u);
}

TEST_F(Video, LiveSourceDropsFramesWhenInferenceFallsBehind) {
  // A paced file is delivered at its own rate (30 fps) whatever the
  // consumer does; a slow onFrame makes inference fall behind, so the
  // newest frame wins and the others count as dropped.
  VideoInput input = VideoInput::file(codedVideo(30, "live.mp4", 30.0));
  input.paced = true;
  VideoSegmentOptions options;
  options.effect.kind = EffectKind::None;
  std::vector<std::int64_t> indices;
  options.onFrame = [&](const SegmentedFrame& frame) {
    indices.push_back(frame.index);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  };
  const VideoSummary summary = segmentVideo(*segmenter_, input, options);
  std::cout << "[ figures  ] processed " << summary.frames << ", dropped " << summary.dropped
            << "\n";
  EXPECT_TRUE(summary.input.live);
  EXPECT_GT(summary.dropped, 0);
  EXPECT_EQ(summary.frames + summary.dropped, 30);
  EXPECT_EQ(static_cast<std::int64_t>(indices.size()), summary.frames);
  EXPECT_TRUE(std::is_sorted(indices.begin(), indices.end()));
  EXPECT_EQ(std::adjacent_find(indices.begin(), indices.end()), indices.end())
      << "indices strictly increase";
  EXPECT_LE(indices.back(), 29);
}

// --- effects, end to end ----------------------------------------------------------
//
// The input video's frames (as the pipeline decoded them) and the selfie
// model's person probability at frame size give the truth; the output went
// through H.264, so "kept" means "within the codec's noise".

struct RegionChange {
  double person = 0.0;      // mean |output - reference| where p(person) > 0.95
  double background = 0.0;  // where p(person) < 0.05
  std::size_t personPixels = 0;
  std::size_t backgroundPixels = 0;
};

class VideoEffects : public Video {
 protected:
  /// Six astronaut frames (MJPEG, so the input itself is close to the photo).
  fs::path astronautVideo() {
    const fs::path path = dir_.path() / "astronaut.avi";
    writeVideo(path, std::vector<cv::Mat>(6, photoFrame("skimage_astronaut.png")), 10.0, "MJPG");
    return path;
  }

  /// How far H.264 alone moves the pixels: the video through the pipeline
  /// with an effect that draws nothing (a tint of opacity 0).
  RegionChange codecNoise(const fs::path& input, const std::vector<cv::Mat>& inputs) {
    VideoSegmentOptions options;
    options.effect.kind = EffectKind::Overlay;
    options.effect.opacity = 0.0f;
    options.output = dir_.path() / "unchanged.mp4";
    (void)segmentVideo(*segmenter_, VideoInput::file(input), options);
    return compare(inputs, readVideo(options.output), [&](std::size_t f) { return inputs[f]; });
  }

  /// The input's frames as RGB, as VideoReader delivers them.
  static std::vector<cv::Mat> inputFrames(const fs::path& path) {
    std::vector<cv::Mat> frames;
    VideoReader reader(VideoInput::file(path));
    while (std::optional<VideoFrame> frame = reader.read()) {
      frames.push_back(cv::Mat(frame->height, frame->width, CV_8UC3, frame->rgb.data()).clone());
    }
    return frames;
  }

  /// The person probability of `rgb` at its own size.
  static std::vector<float> personProbability(const cv::Mat& rgb) {
    const PixelBuffer pixels{rgb.data, rgb.cols, rgb.rows, rgb.step, PixelFormat::RGB};
    Segmentation s = segmenter_->segment(ImageSource::fromPixels(pixels),
                                         {.classesOfInterest = {"PERSON"}, .resize = true});
    return s.probabilities.at("PERSON");
  }

  /// Per region, how far the output's frames (BGR, decoded) are from
  /// `reference(i)` (RGB), averaged over channels and frames.
  template <typename Reference>
  static RegionChange compare(const std::vector<cv::Mat>& inputs, const DecodedVideo& output,
                              Reference&& reference) {
    RegionChange change;
    double personSum = 0.0, backgroundSum = 0.0;
    for (std::size_t f = 0; f < inputs.size(); ++f) {
      const std::vector<float> p = personProbability(inputs[f]);
      cv::Mat out;
      cv::cvtColor(output.frames.at(f), out, cv::COLOR_BGR2RGB);
      const cv::Mat expected = reference(f);
      for (int y = 0; y < out.rows; ++y) {
        for (int x = 0; x < out.cols; ++x) {
          const float probability = p[static_cast<std::size_t>(y) * out.cols + x];
          const cv::Vec3b a = out.at<cv::Vec3b>(y, x);
          const cv::Vec3b b = expected.at<cv::Vec3b>(y, x);
          const double d =
              (std::abs(a[0] - b[0]) + std::abs(a[1] - b[1]) + std::abs(a[2] - b[2])) / 3.0;
          if (probability > 0.95f) {
            personSum += d;
            ++change.personPixels;
          } else if (probability < 0.05f) {
            backgroundSum += d;
            ++change.backgroundPixels;
          }
        }
      }
    }
    change.person = personSum / static_cast<double>(std::max<std::size_t>(1, change.personPixels));
    change.background =
        backgroundSum / static_cast<double>(std::max<std::size_t>(1, change.backgroundPixels));
    return change;
  }
};

TEST_F(VideoEffects, BlurChangesTheBackgroundAndKeepsThePerson) {
  const fs::path input = astronautVideo();
  VideoSegmentOptions options;
  options.effect.kind = EffectKind::Blur;
  options.output = dir_.path() / "blurred.mp4";
  ASSERT_EQ(segmentVideo(*segmenter_, VideoInput::file(input), options).frames, 6);
  const std::vector<cv::Mat> inputs = inputFrames(input);
  const DecodedVideo output = readVideo(options.output);
  ASSERT_EQ(output.frames.size(), inputs.size());

  const RegionChange change = compare(inputs, output, [&](std::size_t f) { return inputs[f]; });
  const RegionChange noise = codecNoise(input, inputs);
  std::cout << "[ figures  ] mean change: person " << change.person << " (" << change.personPixels
            << " px), background " << change.background << " (" << change.backgroundPixels
            << " px); H.264 alone: person " << noise.person << ", background " << noise.background
            << "\n";
  ASSERT_GT(change.personPixels, 10000u);
  ASSERT_GT(change.backgroundPixels, 10000u);
  EXPECT_LT(change.person, noise.person + 1.0) << "the person is kept (codec noise only)";
  EXPECT_GT(change.background, noise.background + 10.0) << "the background is blurred";
}

TEST_F(VideoEffects, ReplacementPutsTheImageWhereTheMaskSaysBackground) {
  const fs::path input = astronautVideo();
  const fs::path coffeePath = photosDir() / "skimage_coffee.png";
  VideoSegmentOptions options;
  options.effect.kind = EffectKind::Replace;
  options.effect.background = ImageSource(coffeePath.string());
  options.output = dir_.path() / "replaced.mp4";
  ASSERT_EQ(segmentVideo(*segmenter_, VideoInput::file(input), options).frames, 6);
  const std::vector<cv::Mat> inputs = inputFrames(input);
  const DecodedVideo output = readVideo(options.output);
  ASSERT_EQ(output.frames.size(), inputs.size());

  // The replacement stretched to the frame.
  cv::Mat coffee = cv::imread(coffeePath.string(), cv::IMREAD_COLOR);
  cv::cvtColor(coffee, coffee, cv::COLOR_BGR2RGB);
  cv::resize(coffee, coffee, cv::Size(kWidth, kHeight), 0, 0, cv::INTER_AREA);

  const RegionChange fromCoffee = compare(inputs, output, [&](std::size_t) { return coffee; });
  const RegionChange fromInput = compare(inputs, output, [&](std::size_t f) { return inputs[f]; });
  const RegionChange noise = codecNoise(input, inputs);
  std::cout << "[ figures  ] background: " << fromCoffee.background << " from the coffee, "
            << fromInput.background << " from the input; person: " << fromInput.person
            << " from the input, " << fromCoffee.person
            << " from the coffee; H.264 alone: " << noise.person << " / " << noise.background
            << "\n";
  // Within a few levels of the coffee (its own codec noise differs from the
  // astronaut's), and far from what was there.
  EXPECT_LT(fromCoffee.background, noise.background + 3.0) << "the background is the coffee";
  EXPECT_GT(fromInput.background, noise.background + 20.0);
  EXPECT_LT(fromInput.person, noise.person + 1.0) << "the person is kept";
  EXPECT_GT(fromCoffee.person, noise.person + 20.0);
}

// --- classifyVideo ------------------------------------------------------------------

TEST_F(Video, ClassifyingEveryNthFrameSamplesThoseIndices) {
  // Frames alternate between a cat and a coffee cup, so which frame was
  // classified shows in the answer.
  const cv::Mat cat = photoFrame("skimage_chelsea.png", 224, 224);
  const cv::Mat coffee = photoFrame("skimage_coffee.png", 224, 224);
  std::vector<cv::Mat> frames;
  for (int i = 0; i < 12; ++i) frames.push_back(i % 2 == 0 ? cat : coffee);
  const fs::path path = dir_.path() / "alternate.avi";
  writeVideo(path, frames, 10.0, "MJPG");

  auto topOf = [&](const cv::Mat& bgr) {
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    const PixelBuffer pixels{rgb.data, rgb.cols, rgb.rows, rgb.step, PixelFormat::RGB};
    return classifier_->classify(ImageSource::fromPixels(pixels), {.maxResults = 1})
        .categories.at(0)
        .label;
  };
  const std::string catLabel = topOf(cat);
  const std::string coffeeLabel = topOf(coffee);
  ASSERT_NE(catLabel, coffeeLabel);

  VideoClassifyOptions options;
  options.every = 3;
  options.maxResults = 5;
  std::vector<ClassifiedFrame> seen;
  std::vector<std::int64_t> totals;
  options.onFrame = [&](const ClassifiedFrame& frame) { seen.push_back(frame); };
  options.onProgress = [&](std::int64_t, std::int64_t total) {
    totals.push_back(total);
    return false;
  };
  const VideoSummary summary = classifyVideo(*classifier_, VideoInput::file(path), options);
  EXPECT_EQ(summary.frames, 4);
  ASSERT_EQ(seen.size(), 4u);
  const std::int64_t expected[] = {0, 3, 6, 9};
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].index, expected[i]);
    EXPECT_NEAR(seen[i].timestamp, static_cast<double>(expected[i]) / 10.0, 1e-3);
    ASSERT_EQ(seen[i].top.size(), 5u);
    std::vector<std::string> labels;
    for (const Category& c : seen[i].top) labels.push_back(c.label);
    const std::string& wanted = expected[i] % 2 == 0 ? catLabel : coffeeLabel;
    EXPECT_NE(std::find(labels.begin(), labels.end(), wanted), labels.end())
        << "frame " << expected[i] << " should show " << wanted;
  }
  EXPECT_EQ(totals, (std::vector<std::int64_t>(4, 4)));  // ceil(12 / 3)

  options.every = 0;
  expectError(ErrorCode::InvalidUserInput, "every",
              [&] { (void)classifyVideo(*classifier_, VideoInput::file(path), options); });
}

// --- bad input ----------------------------------------------------------------------

TEST_F(Video, AFileThatIsNoVideoIsRefusedWithTheReason) {
  const fs::path png = dir_.path() / "photo.mp4";
  fs::copy_file(photosDir() / "skimage_astronaut.png", png);
  expectError(ErrorCode::FileReadFailed, "PNG image",
              [&] { VideoReader reader(VideoInput::file(png)); });

  const fs::path noise = dir_.path() / "noise.mp4";
  std::mt19937 random(12);
  std::vector<std::uint8_t> bytes(100000);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
  test::writeFileBytes(noise, bytes);
  expectError(ErrorCode::FileReadFailed, "cannot be opened as a video",
              [&] { VideoReader reader(VideoInput::file(noise)); });

  const fs::path empty = dir_.path() / "empty.mp4";
  test::writeFileBytes(empty, {});
  expectError(ErrorCode::FileReadFailed, "empty",
              [&] { VideoReader reader(VideoInput::file(empty)); });

  expectError(ErrorCode::FileReadFailed, "does not exist",
              [&] { VideoReader reader(VideoInput::file(dir_.path() / "missing.mp4")); });
  expectError(ErrorCode::FileReadFailed, "is a folder",
              [&] { VideoReader reader(VideoInput::file(dir_.path())); });

  // Through segmentVideo too: the same code, and no output is created.
  VideoSegmentOptions options;
  options.effect.kind = EffectKind::Blur;
  options.output = dir_.path() / "out.mp4";
  expectError(ErrorCode::FileReadFailed, "cannot be opened as a video",
              [&] { (void)segmentVideo(*segmenter_, VideoInput::file(noise), options); });
  EXPECT_FALSE(fs::exists(options.output));
}

TEST_F(Video, ATruncatedVideoIsReportedAsTruncated) {
  // AVI and Matroska keep their frame count at the start: the cut file opens
  // and ends early.
  for (const char* name : {"whole.avi", "whole.mkv"}) {
    const fs::path whole = codedVideo(40, name);
    const fs::path cut = dir_.path() / (std::string("cut") + fs::path(name).extension().string());
    truncateCopy(whole, cut);
    std::int64_t delivered = 0;
    expectError(ErrorCode::FileReadFailed, "truncated", [&] {
      VideoReader reader(VideoInput::file(cut));
      EXPECT_EQ(reader.info().frameCount, 40);
      while (reader.read()) ++delivered;
    });
    EXPECT_GT(delivered, 0) << name << ": the frames before the cut are delivered";
    EXPECT_LT(delivered, 40);
  }
  // An MP4 keeps its index at the end: the cut file cannot be opened at all.
  const fs::path cutMp4 = dir_.path() / "cut.mp4";
  truncateCopy(codedVideo(40, "whole.mp4"), cutMp4);
  expectError(ErrorCode::FileReadFailed, "truncated",
              [&] { VideoReader reader(VideoInput::file(cutMp4)); });
}

TEST_F(Video, AFailureMidwayLeavesAnExistingOutputUntouchedAndNoTemporaryFile) {
  const fs::path whole = codedVideo(40, "whole.avi");
  const fs::path cut = dir_.path() / "cut.avi";
  truncateCopy(whole, cut);
  const fs::path output = dir_.path() / "out.mp4";
  test::writeFileBytes(output, {'o', 'l', 'd'});
  VideoSegmentOptions options;
  options.effect.kind = EffectKind::Blur;
  options.output = output;
  std::int64_t framesSeen = 0;
  options.onFrame = [&](const SegmentedFrame&) { ++framesSeen; };
  expectError(ErrorCode::FileReadFailed, "truncated",
              [&] { (void)segmentVideo(*segmenter_, VideoInput::file(cut), options); });
  EXPECT_GT(framesSeen, 0) << "the failure came after frames were written";
  EXPECT_EQ(test::readFileBytes(output), (std::vector<std::uint8_t>{'o', 'l', 'd'}));
  EXPECT_EQ(filesIn(dir_.path()), (std::vector<std::string>{"cut.avi", "out.mp4", "whole.avi"}));

  // A callback's exception stops the run the same way and propagates as is.
  options.onFrame = [](const SegmentedFrame& frame) {
    if (frame.index == 3) throw std::runtime_error("caller gave up");
  };
  EXPECT_THROW((void)segmentVideo(*segmenter_, VideoInput::file(whole), options),
               std::runtime_error);
  EXPECT_EQ(test::readFileBytes(output), (std::vector<std::uint8_t>{'o', 'l', 'd'}));
  EXPECT_EQ(filesIn(dir_.path()), (std::vector<std::string>{"cut.avi", "out.mp4", "whole.avi"}));
}

TEST_F(Video, AnUnsupportedCodecIsReported) {
  // An AVI whose codec FourCC names nothing FFmpeg knows: the container
  // reads, the video stream has no decoder.
  const fs::path good = dir_.path() / "good.avi";
  writeVideo(good, codedFrames(4), 10.0, "MJPG");
  std::vector<std::uint8_t> bytes = test::readFileBytes(good);
  int patched = 0;
  for (std::size_t i = 0; i + 4 <= bytes.size(); ++i) {
    if (std::equal(bytes.begin() + static_cast<std::ptrdiff_t>(i),
                   bytes.begin() + static_cast<std::ptrdiff_t>(i + 4), "MJPG")) {
      std::copy_n("QQQQ", 4, bytes.begin() + static_cast<std::ptrdiff_t>(i));
      ++patched;
    }
  }
  ASSERT_GT(patched, 0);
  const fs::path odd = test::writeFileBytes(dir_.path() / "odd_codec.avi", bytes);
  const std::string message = expectError(ErrorCode::FileReadFailed, "codec",
                                          [&] { VideoReader reader(VideoInput::file(odd)); });
  EXPECT_NE(message.find("ffprobe"), std::string::npos) << message;
}

TEST_F(Video, AnAbsentCameraIsReported) {
  ASSERT_FALSE(fs::exists("/dev/video99"));
  expectError(ErrorCode::FileReadFailed, "does not exist",
              [] { VideoReader reader(VideoInput::camera(99)); });
  expectError(ErrorCode::FileReadFailed, "/dev/video99",
              [] { VideoReader reader(VideoInput::camera("/dev/video99")); });
  VideoSegmentOptions options;
  options.effect.kind = EffectKind::None;
  options.maxFrames = 1;
  expectError(ErrorCode::FileReadFailed, "v4l2-ctl",
              [&] { (void)segmentVideo(*segmenter_, VideoInput::camera(99), options); });
}

TEST_F(Video, ARecordingServedOverHttpIsReadLikeAFileEveryFrameInOrder) {
  // A stream that declares its frame count is a recording, not a live
  // feed: nothing is dropped however slow inference is.
  const fs::path input = codedVideo(12, "served.mp4");
  test::HttpTestServer server(dir_.path());
  const VideoInput stream = VideoInput::stream(server.url("/served.mp4"));
  ASSERT_TRUE(stream.live());  // before opening, a stream is presumed live
  std::vector<std::int64_t> indices;
  VideoSegmentOptions options;
  options.effect.kind = EffectKind::None;
  options.onFrame = [&](const SegmentedFrame& frame) {
    indices.push_back(frame.index);
    // Slower than the reader: a live policy would drop frames here.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  const VideoSummary summary = segmentVideo(*segmenter_, stream, options);
  EXPECT_FALSE(summary.input.live);
  EXPECT_EQ(summary.input.frameCount, 12);
  EXPECT_EQ(summary.dropped, 0);
  ASSERT_EQ(indices.size(), 12u);
  for (std::size_t i = 0; i < indices.size(); ++i) {
    EXPECT_EQ(indices[i], static_cast<std::int64_t>(i));
  }
}

TEST_F(Video, AnUnreachableStreamFailsInsteadOfHanging) {
  // Port 9 on loopback (discard) has no listener: the connection is refused.
  expectError(ErrorCode::FileReadFailed, "cannot be opened",
              [] { VideoReader reader(VideoInput::stream("http://127.0.0.1:9/live.mjpg")); });
}

TEST_F(Video, AnOutputThatCannotBeWrittenIsReportedAndNothingIsLeft) {
  const fs::path input = codedVideo(4);
  VideoSegmentOptions options;
  options.effect.kind = EffectKind::Blur;
  auto run = [&] { (void)segmentVideo(*segmenter_, VideoInput::file(input), options); };

  // A "folder" that is a file.
  const fs::path file = test::writeFileBytes(dir_.path() / "plain.txt", {'x'});
  options.output = file / "out.mp4";
  expectError(ErrorCode::FileWriteFailed, "Not a directory", run);

  // A folder that does not exist.
  options.output = dir_.path() / "nowhere" / "out.mp4";
  expectError(ErrorCode::FileWriteFailed, "does not exist", run);

  // The output is a folder.
  fs::create_directory(dir_.path() / "taken.mp4");
  options.output = dir_.path() / "taken.mp4";
  expectError(ErrorCode::FileWriteFailed, "is a folder", run);

  // A read-only folder. Root writes anywhere, so as root the test uses
  // /proc, where nobody can create files.
  const fs::path readOnly = dir_.path() / "read-only";
  fs::create_directory(readOnly);
  fs::permissions(readOnly, fs::perms::owner_read | fs::perms::owner_exec);
  options.output = ::access(readOnly.c_str(), W_OK) == 0 ? fs::path("/proc/etvision-out.mp4")
                                                         : readOnly / "out.mp4";
  expectError(ErrorCode::FileWriteFailed, "pick a folder you can write to", run);
  fs::permissions(readOnly, fs::perms::owner_all);
  EXPECT_TRUE(fs::is_empty(readOnly));

  // No extension: the container cannot be chosen.
  options.output = dir_.path() / "out";
  expectError(ErrorCode::InvalidUserInput, ".mp4", run);
  // An extension FFmpeg knows no video container for.
  options.output = dir_.path() / "out.txt";
  expectError(ErrorCode::FileWriteFailed, "use .mp4", run);
  // A picture's extension (FFmpeg would write one image, overwritten per frame).
  options.output = dir_.path() / "out.png";
  expectError(ErrorCode::InvalidUserInput, "names a picture", run);

  EXPECT_EQ(filesIn(dir_.path()),
            (std::vector<std::string>{"in.mp4", "plain.txt", "read-only", "taken.mp4"}));
}

TEST_F(Video, BadOptionsAreInvalidUserInput) {
  const fs::path input = codedVideo(2);
  VideoSegmentOptions options;
  options.effect.kind = EffectKind::None;
  options.output = dir_.path() / "out.mp4";
  expectError(ErrorCode::InvalidUserInput, "EffectKind::None",
              [&] { (void)segmentVideo(*segmenter_, VideoInput::file(input), options); });

  options.effect.kind = EffectKind::Blur;
  options.effect.foreground = {"CAT"};
  expectError(ErrorCode::InvalidUserInput, "CAT",
              [&] { (void)segmentVideo(*segmenter_, VideoInput::file(input), options); });

  options.effect.foreground = {};
  options.maxFrames = -1;
  expectError(ErrorCode::InvalidUserInput, "maxFrames",
              [&] { (void)segmentVideo(*segmenter_, VideoInput::file(input), options); });
  EXPECT_FALSE(fs::exists(options.output));

  ImageSegmentationModule unloaded;
  options.maxFrames = 0;
  EXPECT_EQ(
      test::errorCodeOf([&] { (void)segmentVideo(unloaded, VideoInput::file(input), options); }),
      ErrorCode::ModuleNotLoaded);
}

}  // namespace
}  // namespace etvision
