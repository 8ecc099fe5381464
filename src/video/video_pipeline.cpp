// segmentVideo() and classifyVideo(): three stages joined by FrameChannels.
//
//   reader thread --frames--> calling thread (inference, callbacks)
//                                 --frames + maps--> writer thread (effect, encode)
//
// Decoding, inference and effect + encoding overlap, and each channel holds
// at most two items, so memory stays at a few frames whatever the length.
// A file goes through Blocking channels: every frame, in order. A live
// source's frames go through a LatestWins channel: inference takes the
// newest frame and the ones it replaced are counted as dropped (the writer
// channel still blocks: a frame that was inferred is always written).
//
// Errors: each stage's exception becomes an etvision::Error on the calling
// thread (the reader's after the frames it delivered, the writer's at the
// next hand-over). Every exit path (end, stop, error, a callback's
// exception) cancels the channels and joins both threads in the stages'
// destructors; the output file is renamed into place only after everything
// succeeded, else its temporary file is removed.
#include <chrono>
#include <exception>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <span>
#include <thread>
#include <utility>

#include "etvision/error.h"
#include "etvision/video.h"
#include "render/effects.h"
#include "video/frame_channel.h"
#include "video/video_writer.h"

namespace etvision {
namespace {

using Clock = std::chrono::steady_clock;

/// Adds the seconds since `since` to `total` and restarts `since`.
void addElapsed(double& total, Clock::time_point& since) {
  const Clock::time_point now = Clock::now();
  total += std::chrono::duration<double>(now - since).count();
  since = now;
}

// Items waiting between two stages (files). Two keep the next stage fed
// while bounding memory to a few decoded frames.
constexpr std::size_t kQueueDepth = 2;

/// `error` as an etvision::Error: etvision errors pass unchanged, OpenCV
/// and other exceptions become `code` with `where` and their text.
std::exception_ptr asVideoError(std::exception_ptr error, ErrorCode code,
                                const std::string& where) {
  try {
    std::rethrow_exception(error);
  } catch (const Error&) {
    return error;
  } catch (const cv::Exception& e) {
    return std::make_exception_ptr(Error(code, where + ": OpenCV: " + e.what()));
  } catch (const std::bad_alloc&) {
    return std::make_exception_ptr(
        Error(ErrorCode::MemoryAllocationFailed, where + ": out of memory"));
  } catch (const std::exception& e) {
    return std::make_exception_ptr(Error(code, where + ": " + e.what()));
  } catch (...) {
    return std::make_exception_ptr(Error(ErrorCode::UnknownError, where + ": unknown failure"));
  }
}

/// Opens the source on the calling thread (so opening errors are thrown
/// there, before any work), then reads it on a thread of its own.
class ReaderStage {
 public:
  /// `keep(frame)`: whether a frame goes to inference (classifyVideo's
  /// every N); frames it refuses are neither queued nor counted as dropped.
  ReaderStage(const VideoInput& input, std::function<bool(const VideoFrame&)> keep)
      : what_(input.describe()),
        reader_(input),
        channel_(kQueueDepth, reader_.info().live ? detail::ChannelPolicy::LatestWins
                                                  : detail::ChannelPolicy::Blocking),
        keep_(std::move(keep)) {}

  ~ReaderStage() { stop(); }
  ReaderStage(const ReaderStage&) = delete;
  ReaderStage& operator=(const ReaderStage&) = delete;

  const VideoInfo& info() const noexcept { return reader_.info(); }

  void start() {
    thread_ = std::thread([this] { run(); });
  }

  /// The next frame; nullopt at the end of the source. Rethrows the
  /// reader's error once the frames before it were taken.
  std::optional<VideoFrame> next() {
    std::optional<VideoFrame> frame = channel_.pop();
    if (!frame) {
      join();
      if (auto error = channel_.error()) std::rethrow_exception(error);
    }
    return frame;
  }

  /// Ends reading early (the caller has what it wants; a reader error from
  /// beyond that point no longer matters). Waits for the thread.
  void stop() noexcept {
    channel_.cancel();
    join();
  }

  /// Stops reading and records the drops and the decode time in `summary`.
  void finish(VideoSummary& summary) noexcept {
    stop();
    summary.dropped = channel_.dropped();
    summary.busySeconds.decode = busySeconds_;
  }

 private:
  void run() noexcept {
    std::exception_ptr error;
    try {
      Clock::time_point since = Clock::now();
      while (std::optional<VideoFrame> frame = reader_.read()) {
        addElapsed(busySeconds_, since);
        if (keep_ && !keep_(*frame)) continue;
        if (!channel_.push(std::move(*frame))) break;  // cancelled
        since = Clock::now();                          // waiting for the consumer is not decoding
      }
    } catch (...) {
      error = asVideoError(std::current_exception(), ErrorCode::FileReadFailed, what_);
    }
    channel_.close(std::move(error));
  }

  void join() noexcept {
    if (thread_.joinable()) thread_.join();
  }

  std::string what_;
  VideoReader reader_;
  detail::FrameChannel<VideoFrame> channel_;
  std::function<bool(const VideoFrame&)> keep_;
  double busySeconds_ = 0.0;  // written by the thread, read after join()
  std::thread thread_;        // last: started after everything it uses exists
};

/// One inferred frame on its way to the writer.
struct RenderItem {
  VideoFrame frame;
  Segmentation segmentation;
};

/// Draws the effect and encodes, on a thread of its own. The renderer and
/// the output file are set up on the calling thread, so bad effect options
/// and an unwritable output are reported before any frame is read.
class WriterStage {
 public:
  WriterStage(const std::filesystem::path& output, const VideoInfo& info,
              const EffectOptions& effect, std::vector<int> classes)
      : width_(info.width),
        height_(info.height),
        classes_(std::move(classes)),
        renderer_(effect, info.width, info.height),
        writer_(output, info.width, info.height, info.fps),
        channel_(kQueueDepth, detail::ChannelPolicy::Blocking) {
    thread_ = std::thread([this] { run(); });
  }

  ~WriterStage() {
    channel_.cancel();
    join();
    // writer_'s destructor removes the temporary file unless committed.
  }
  WriterStage(const WriterStage&) = delete;
  WriterStage& operator=(const WriterStage&) = delete;

  /// False when the writer has failed: finish() then throws its error.
  bool push(RenderItem item) { return channel_.push(std::move(item)); }

  /// Writes what is queued, then completes the file and renames it into
  /// place; throws the writer's error instead when it failed.
  void finish() {
    channel_.close();
    join();
    if (error_) std::rethrow_exception(error_);
    writer_.commit();
  }

  const std::string& codec() const noexcept { return writer_.codec(); }
  std::int64_t framesWritten() const noexcept { return writer_.framesWritten(); }
  /// Time spent drawing and encoding; valid after finish().
  double effectSeconds() const noexcept { return effectSeconds_; }
  double encodeSeconds() const noexcept { return encodeSeconds_; }

 private:
  void run() noexcept {
    try {
      while (std::optional<RenderItem> item = channel_.pop()) write(*item);
    } catch (...) {
      error_ = asVideoError(std::current_exception(), ErrorCode::FileWriteFailed,
                            "writing the output video");
      channel_.cancel();  // the inference side's next push returns false
    }
  }

  void write(RenderItem& item) {
    Clock::time_point since = Clock::now();
    VideoFrame& frame = item.frame;
    const Segmentation& segmentation = item.segmentation;
    const std::vector<float> probability = detail::foregroundProbability(segmentation, classes_);
    if (frame.width != width_ || frame.height != height_) {
      // A stream may change resolution midway; the output keeps its size.
      cv::Mat in(frame.height, frame.width, CV_8UC3, frame.rgb.data());
      std::vector<std::uint8_t> resized(static_cast<std::size_t>(width_) * height_ * 3);
      cv::Mat out(height_, width_, CV_8UC3, resized.data());
      cv::resize(in, out, out.size(), 0, 0, cv::INTER_AREA);
      frame.rgb = std::move(resized);
      frame.width = width_;
      frame.height = height_;
    }
    renderer_.render(frame.rgb, probability, segmentation.width, segmentation.height);
    addElapsed(effectSeconds_, since);
    writer_.write(cv::Mat(frame.height, frame.width, CV_8UC3, frame.rgb.data()));
    addElapsed(encodeSeconds_, since);
  }

  void join() noexcept {
    if (thread_.joinable()) thread_.join();
  }

  const int width_;
  const int height_;
  const std::vector<int> classes_;
  detail::EffectRenderer renderer_;
  detail::VideoFileWriter writer_;
  detail::FrameChannel<RenderItem> channel_;
  std::exception_ptr error_;    // set by the thread, read after join()
  double effectSeconds_ = 0.0;  // likewise
  double encodeSeconds_ = 0.0;
  std::thread thread_;
};

/// The total onProgress reports: the frames that will be processed when
/// known (the declared count, sampled every N, capped by maxFrames), else
/// maxFrames, else -1.
std::int64_t progressTotal(const VideoInfo& info, int every, std::int64_t maxFrames) {
  std::int64_t total = -1;
  if (info.frameCount > 0) total = (info.frameCount + every - 1) / every;
  if (maxFrames > 0 && (total < 0 || maxFrames < total)) total = maxFrames;
  return total;
}

void finishSummary(VideoSummary& summary, Clock::time_point started) {
  summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  summary.fps = summary.seconds > 0.0 ? static_cast<double>(summary.frames) / summary.seconds : 0.0;
}

/// After one frame's inference: counts it, calls `onFrame` and
/// `onProgress`; whether to stop (asked to, or maxFrames reached).
template <typename Result>
bool deliver(VideoSummary& summary, const Result& result,
             const std::function<void(const Result&)>& onFrame,
             const std::function<bool(std::int64_t, std::int64_t)>& onProgress, std::int64_t total,
             std::int64_t maxFrames) {
  ++summary.frames;
  if (onFrame) onFrame(result);
  const bool stop = onProgress && onProgress(summary.frames, total);
  return stop || (maxFrames > 0 && summary.frames >= maxFrames);
}

void requireMaxFrames(std::int64_t maxFrames) {
  if (maxFrames < 0) {
    throw Error(ErrorCode::InvalidUserInput, "maxFrames is " + std::to_string(maxFrames) +
                                                 ": use 0 for no limit or a positive frame count");
  }
}

/// The probability maps segment() must return for `classes`: when every
/// class but the first is foreground, BACKGROUND's map alone (the
/// foreground is its complement, see foregroundProbability) instead of
/// one map per class.
std::vector<std::string> mapsFor(const std::vector<int>& classes,
                                 const std::vector<std::string>& labels) {
  bool allButFirst = classes.size() + 1 == labels.size() && classes.size() > 1;
  for (std::size_t i = 0; allButFirst && i < classes.size(); ++i) {
    allButFirst = classes[i] == static_cast<int>(i + 1);
  }
  if (allButFirst) return {labels.front()};
  std::vector<std::string> names;
  for (int index : classes) names.push_back(labels.at(static_cast<std::size_t>(index)));
  return names;
}

}  // namespace

VideoSummary segmentVideo(ImageSegmentationModule& segmenter, const VideoInput& input,
                          const VideoSegmentOptions& options) {
  const Clock::time_point started = Clock::now();
  const bool writing = !options.output.empty();
  if (writing && options.effect.kind == EffectKind::None) {
    throw Error(ErrorCode::InvalidUserInput,
                "EffectKind::None draws nothing, so there is no video to write to '" +
                    options.output.string() +
                    "': choose an effect (Blur, Replace, Overlay, Mask) or leave the output "
                    "empty to segment only");
  }
  requireMaxFrames(options.maxFrames);
  const SegmenterInfo model = segmenter.info();  // ModuleNotLoaded before any I/O
  const std::vector<int> classes = detail::foregroundClasses(options.effect, *model.labels);
  SegmentOptions segmentOptions;
  segmentOptions.classesOfInterest = mapsFor(classes, *model.labels);

  ReaderStage source(input, {});
  VideoSummary summary;
  summary.input = source.info();
  std::optional<WriterStage> sink;
  if (writing) sink.emplace(options.output, summary.input, options.effect, classes);
  source.start();

  const std::int64_t total = progressTotal(summary.input, 1, options.maxFrames);
  bool writerFailed = false;
  while (std::optional<VideoFrame> frame = source.next()) {
    Clock::time_point since = Clock::now();
    Segmentation segmentation =
        segmenter.segment(ImageSource::fromPixels(frame->pixels()), segmentOptions);
    addElapsed(summary.busySeconds.infer, since);
    SegmentedFrame result;
    result.index = frame->index;
    result.timestamp = frame->timestamp;
    result.classShares = segmentation.classShares();
    result.labels = segmentation.labels;
    if (sink && !sink->push(RenderItem{std::move(*frame), std::move(segmentation)})) {
      writerFailed = true;
      break;
    }
    if (deliver(summary, result, options.onFrame, options.onProgress, total, options.maxFrames)) {
      break;
    }
  }
  source.finish(summary);
  if (sink) {
    if (!writerFailed && summary.frames == 0) {
      throw Error(ErrorCode::FileReadFailed,
                  input.describe() + " delivered no frame, so there is no video to write to '" +
                      options.output.string() + "'");
    }
    sink->finish();  // rethrows the writer's error when writerFailed
    summary.outputCodec = sink->codec();
    summary.busySeconds.effect = sink->effectSeconds();
    summary.busySeconds.encode = sink->encodeSeconds();
  }
  finishSummary(summary, started);
  return summary;
}

VideoSummary classifyVideo(ClassificationModule& classifier, const VideoInput& input,
                           const VideoClassifyOptions& options) {
  const Clock::time_point started = Clock::now();
  if (options.every < 1) {
    throw Error(ErrorCode::InvalidUserInput,
                "every is " + std::to_string(options.every) +
                    ": classify every Nth frame with N >= 1 (1 classifies all)");
  }
  requireMaxFrames(options.maxFrames);
  (void)classifier.info();  // ModuleNotLoaded before any I/O

  const int every = options.every;
  // Sampling happens on the reader thread, so skipped frames never queue.
  // By index, so a live source's drops do not shift which frames count.
  ReaderStage source(input, [every](const VideoFrame& frame) { return frame.index % every == 0; });
  VideoSummary summary;
  summary.input = source.info();
  source.start();

  ClassifyOptions classifyOptions;
  classifyOptions.maxResults = options.maxResults;
  const std::int64_t total = progressTotal(summary.input, every, options.maxFrames);
  while (std::optional<VideoFrame> frame = source.next()) {
    Clock::time_point since = Clock::now();
    Classification classification =
        classifier.classify(ImageSource::fromPixels(frame->pixels()), classifyOptions);
    addElapsed(summary.busySeconds.infer, since);
    ClassifiedFrame result;
    result.index = frame->index;
    result.timestamp = frame->timestamp;
    result.top = std::move(classification.categories);
    if (deliver(summary, result, options.onFrame, options.onProgress, total, options.maxFrames)) {
      break;
    }
  }
  source.finish(summary);
  finishSummary(summary, started);
  return summary;
}

}  // namespace etvision
