// Video files, cameras and network streams: frames in, per-frame
// segmentation (with an effect) or classification, optionally a video out.
//
//   etvision::ImageSegmentationModule segmenter;
//   segmenter.load(etvision::MEDIAPIPE_SELFIE);
//   etvision::VideoSegmentOptions options;
//   options.effect.kind = etvision::EffectKind::Blur;
//   options.output = "out.mp4";
//   etvision::VideoSummary s =
//       etvision::segmentVideo(segmenter, etvision::VideoInput::file("in.mp4"), options);
//
// Frames are read and decoded with OpenCV's video I/O (Debian's FFmpeg
// backend for files and streams, V4L2 for cameras). Reading, inference and
// effect + encoding run on three threads joined by small bounded queues, so
// they overlap. A file is processed completely, every frame in order. A live
// source (camera, stream, or a file opened with `paced`) is never waited
// for: when inference falls behind, the newest frame wins and the frames it
// replaced are counted in VideoSummary::dropped.
//
// Threading: segmentVideo()/classifyVideo() block the calling thread until the
// source ends, `stop` returns true, or an error; the module may be used by
// other threads meanwhile (their inferences interleave). Callbacks run on the
// calling thread.
//
// Errors (etvision::Error): FileReadFailed for a source that cannot be opened
// (no such file, not a video, an absent or busy camera, an unreachable
// stream), a codec the FFmpeg backend cannot decode, or a file that ends
// before the frame count its container declares (truncated); FileWriteFailed
// for an output that cannot be written (the output is written to a temporary
// name beside it and renamed at the end, so a failure leaves nothing behind
// and never overwrites an existing file with half a video); InvalidUserInput
// for bad options (an unreadable replacement image, a foreground class the
// model does not know, every < 1). A callback's exception stops the run and
// propagates, with the same cleanup.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "etvision/classification.h"
#include "etvision/export.h"
#include "etvision/image_source.h"
#include "etvision/segmentation.h"

namespace etvision {

/// Where frames come from.
struct ETVISION_API VideoInput {
  enum class Kind { File, Camera, Stream };

  /// A video file (any container and codec the FFmpeg backend decodes).
  static VideoInput file(std::filesystem::path path);
  /// A camera by index (/dev/video<index>) or by device path ("/dev/video2").
  static VideoInput camera(int index);
  static VideoInput camera(std::string device);
  /// A network stream: rtsp://, rtmp://, http(s):// (e.g. an HLS or MJPEG URL).
  static VideoInput stream(std::string url);

  Kind kind = Kind::File;
  /// The path, device or URL.
  std::string location;
  /// Cameras: the index, or -1 when given by device path.
  int cameraIndex = -1;
  /// Files only: deliver frames at the file's frame rate and apply the live
  /// policy (newest frame wins), as a camera would. For tests and
  /// rehearsals of a live setup.
  bool paced = false;

  /// Cameras, streams and paced files. Once opened, VideoInfo::live is what
  /// counts: a stream that declares its frame count (a recording served
  /// over http) is processed like a file.
  bool live() const noexcept { return kind != Kind::File || paced; }
  /// "file 'in.mp4'", "camera /dev/video0", "stream rtsp://..." for messages.
  std::string describe() const;
};

/// What the source reports once opened.
struct VideoInfo {
  int width = 0;
  int height = 0;
  /// Frames per second as the container or device declares it (0 unknown).
  double fps = 0.0;
  /// Frames the container declares (files, paced files, recordings served
  /// as streams); -1 for cameras, live streams or when unknown.
  std::int64_t frameCount = -1;
  /// FourCC of the decoded stream ("h264", "mjpg", ...), when known.
  std::string codec;
  /// Whether the live policy applies (newest frame wins): cameras, paced
  /// files, and streams that declare no frame count.
  bool live = false;
};

/// One decoded frame, RGB, tightly packed (width * 3 bytes per row).
struct VideoFrame {
  /// 0-based position in the source (a live source counts every frame it
  /// delivered, dropped ones included, so gaps show drops).
  std::int64_t index = 0;
  /// Seconds from the start: the container's timestamp for files, the
  /// arrival time for live sources.
  double timestamp = 0.0;
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;

  /// A borrowed view for ImageSource::fromPixels (valid while the frame is).
  PixelBuffer pixels() const noexcept {
    return PixelBuffer{rgb.data(), width, height, 0, PixelFormat::RGB};
  }
};

/// Reads frames from a VideoInput; what segmentVideo()/classifyVideo() use,
/// public for callers with their own loop. Not thread-safe; movable.
class ETVISION_API VideoReader {
 public:
  /// Opens the source; throws FileReadFailed (see the header comment).
  explicit VideoReader(const VideoInput& input);
  ~VideoReader();
  VideoReader(VideoReader&&) noexcept;
  VideoReader& operator=(VideoReader&&) noexcept;

  const VideoInfo& info() const noexcept;
  /// The next frame in source order, or nullopt at the end. For a paced
  /// file, waits until the frame is due. Throws FileReadFailed when a file
  /// ends before its declared frame count (truncated) or cannot be decoded.
  std::optional<VideoFrame> read();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// What segmentVideo() draws.
enum class EffectKind {
  /// No picture work: segmentation only (no output video allowed).
  None,
  /// The background blurred, the foreground sharp.
  Blur,
  /// The background replaced by `EffectOptions::background` (stretched to
  /// the frame) or, without one, by `EffectOptions::color`.
  Replace,
  /// The foreground tinted with `EffectOptions::color` over the frame.
  Overlay,
  /// The foreground alpha as a grey picture (white = foreground).
  Mask,
};

struct EffectOptions {
  EffectKind kind = EffectKind::Blur;
  /// Replace: the new background (read once, at the start).
  std::optional<ImageSource> background;
  /// Replace without an image: the background colour; Overlay: the tint. RGB.
  std::array<std::uint8_t, 3> color{0, 177, 64};
  /// Blur: Gaussian sigma in pixels of the frame.
  float blurSigma = 12.0f;
  /// Overlay: opacity of the tint.
  float opacity = 0.5f;
  /// Labels counted as foreground; empty means every class but the first
  /// (BACKGROUND), so PERSON for the selfie model. Unknown labels are
  /// InvalidUserInput.
  std::vector<std::string> foreground;
  /// Edge feathering: the foreground alpha rises from 0 to 1 as the
  /// foreground probability goes from 0.5 - feather to 0.5 + feather
  /// (smoothstep); 0 gives a hard 0.5 threshold.
  float feather = 0.25f;
  /// Temporal smoothing of the foreground probability between frames, an
  /// exponential moving average: p = (1 - s) * p_frame + s * p_previous.
  /// 0 (the default) keeps every frame exactly its own segmentation; the
  /// CLI's effects use 0.5 so edges do not flicker.
  float temporalSmoothing = 0.0f;
};

/// One frame's segmentation, for the per-frame callback.
struct SegmentedFrame {
  std::int64_t index = 0;
  double timestamp = 0.0;
  /// Share of pixels per class index (Segmentation::classShares()).
  std::vector<double> classShares;
  /// The model's labels (class index -> label).
  std::shared_ptr<const std::vector<std::string>> labels;
};

struct VideoSegmentOptions {
  EffectOptions effect;
  /// Where to write the processed video (same frame count, size and rate
  /// for a file source); empty writes nothing. The container follows the
  /// extension (.mp4, .mkv, .avi; none, or a picture's such as .png, is
  /// InvalidUserInput); the codec is H.264 when the FFmpeg backend has an
  /// encoder for it, else MPEG-4 part 2 (VideoSummary::outputCodec says
  /// which). The rate is the source's, 30 fps when it declares none; an odd
  /// width or height loses its last column or row (OpenCV's writer crops to
  /// the even sizes 4:2:0 video needs).
  std::filesystem::path output;
  /// Called once per processed frame, in order, on the calling thread.
  std::function<void(const SegmentedFrame&)> onFrame;
  /// Called after each frame with (frames done, total or -1); return true
  /// to stop early (the output is then completed with the frames done).
  std::function<bool(std::int64_t done, std::int64_t total)> onProgress;
  /// Stop after this many frames (0: no limit); live sources need it or
  /// onProgress to end.
  std::int64_t maxFrames = 0;
};

struct VideoSummary {
  /// Frames processed (segmented or classified).
  std::int64_t frames = 0;
  /// Live sources: frames replaced by a newer one before inference.
  std::int64_t dropped = 0;
  /// Wall time of the whole run and processed frames per second over it.
  double seconds = 0.0;
  double fps = 0.0;
  VideoInfo input;
  /// "h264", "mp4v", ... or empty when nothing was written.
  std::string outputCodec;
  /// Where the time went: how long each stage spent working, summed over
  /// the frames (wall clock). The stages run concurrently, so these add up
  /// to more than `seconds`; the largest bounds the frame rate.
  struct StageSeconds {
    double decode = 0.0;  ///< reading and decoding frames (reader thread)
    double infer = 0.0;   ///< preprocessing, inference, maps (calling thread)
    double effect = 0.0;  ///< drawing the effect (writer thread)
    double encode = 0.0;  ///< encoding and writing (writer thread)
  } busySeconds;
};

/// Segments every frame with `segmenter` (loaded), applies `options.effect`
/// and writes `options.output`. See the header comment for threading,
/// the live policy and errors.
[[nodiscard]] ETVISION_API VideoSummary segmentVideo(ImageSegmentationModule& segmenter,
                                                     const VideoInput& input,
                                                     const VideoSegmentOptions& options);

/// One sampled frame's classification, for the per-frame callback.
struct ClassifiedFrame {
  std::int64_t index = 0;
  double timestamp = 0.0;
  std::vector<Category> top;
};

struct VideoClassifyOptions {
  /// Classify every Nth frame of the source (1: all); the others are read
  /// and skipped.
  int every = 1;
  /// Categories per frame (ClassifyOptions::maxResults; 0 keeps all).
  std::size_t maxResults = 5;
  std::function<void(const ClassifiedFrame&)> onFrame;
  std::function<bool(std::int64_t done, std::int64_t total)> onProgress;
  std::int64_t maxFrames = 0;
};

/// Classifies every `options.every`-th frame with `classifier` (loaded).
[[nodiscard]] ETVISION_API VideoSummary classifyVideo(ClassificationModule& classifier,
                                                      const VideoInput& input,
                                                      const VideoClassifyOptions& options);

}  // namespace etvision
