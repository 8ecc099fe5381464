#include "video/video_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <random>
#include <system_error>

#include "etvision/error.h"
#include "image/source_text.h"
#include "video/h264_encoder.h"
#include "video/video_probe.h"

namespace etvision::detail {
namespace {

// A source that declares no rate (a stream, an image sequence) still needs
// one in the output; 30 is what cameras and most streams run at.
constexpr double kFallbackFps = 30.0;

// Codecs in order of preference. H.264 plays everywhere (browsers, phones);
// Debian's FFmpeg encodes it with libx264. MPEG-4 part 2 is built into
// FFmpeg itself, so it is there when libx264 is not.
//
// Speed: through OpenCV, x264 runs at its default preset ("medium"), which on
// a 2-core VM encodes 720p at about 25 fps against about 100 fps for MPEG-4
// part 2; so H.264 goes through libavcodec directly (h264_encoder.h) at
// "veryfast", and OpenCV's writer is the fallback. A faster preset cannot be
// chosen through OpenCV 4.6:
// its FFmpeg writer parses OPENCV_FFMPEG_WRITER_OPTIONS but uses the
// dictionary only to pick hardware acceleration, and opens the encoder with
// avcodec_open2(context, codec, NULL), so "preset;ultrafast" is ignored
// (checked: byte-identical output with and without it). VIDEOWRITER_PROP_*
// has no encoder-option property either. Choosing the preset would mean
// writing through libavcodec directly.
struct Codec {
  char fourcc[5];
  const char* name;
};
constexpr Codec kCodecs[] = {{"avc1", "h264"}, {"mp4v", "mp4v"}};

std::string shown(const std::filesystem::path& path) {
  return "'" + shortenForMessage(path.string()) + "'";
}

[[noreturn]] void failWrite(const std::string& message) {
  throw Error(ErrorCode::FileWriteFailed, message);
}

/// A name beside `output` that nothing uses, created empty (O_EXCL) so that
/// no other writer can take it and so that an unwritable folder is reported
/// with the system's reason before FFmpeg is involved.
std::filesystem::path reserveTemporary(const std::filesystem::path& output) {
  const std::filesystem::path folder =
      output.has_parent_path() ? output.parent_path() : std::filesystem::path(".");
  std::random_device random;
  for (int attempt = 0;; ++attempt) {
    char suffix[9];
    std::snprintf(suffix, sizeof suffix, "%08x", random());
    // ".out.mp4.etvision-1a2b3c4d.mp4": hidden, traceable to its output, and
    // ending in the output's extension, which is how FFmpeg picks the
    // container.
    const std::filesystem::path candidate =
        folder /
        ("." + output.filename().string() + ".etvision-" + suffix + output.extension().string());
    const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      return candidate;
    }
    if (errno == EEXIST && attempt < 10) continue;
    failWrite("cannot write the video " + shown(output) + ": creating a file in " + shown(folder) +
              " failed (" + std::strerror(errno) + "); pick a folder you can write to");
  }
}

}  // namespace

struct VideoFileWriter::State {
  std::filesystem::path output;
  std::filesystem::path temporary;
  std::unique_ptr<H264Encoder> h264;
  cv::VideoWriter writer;
  cv::Mat bgr;  // OpenCV's writer takes BGR
  std::string codec;
  double fps = kFallbackFps;
  std::int64_t written = 0;
  bool committed = false;

  void discard() noexcept {
    h264.reset();
    try {
      writer.release();
    } catch (...) {
      // Releasing only flushes what is discarded anyway.
    }
    std::error_code ec;
    if (!temporary.empty()) std::filesystem::remove(temporary, ec);
  }
};

VideoFileWriter::VideoFileWriter(const std::filesystem::path& output, int width, int height,
                                 double fps)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.output = output;
  if (!output.has_extension() || output.extension() == ".") {
    throw Error(ErrorCode::InvalidUserInput,
                "the output " + shown(output) +
                    " has no extension, which is how the container is chosen: end it in .mp4, "
                    ".mkv or .avi");
  }
  // FFmpeg's image2 muxer would "write" a .png or .jpg: one picture
  // overwritten per frame, which is never what was meant.
  std::string extension = output.extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* image : {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif"}) {
    if (extension == image) {
      throw Error(ErrorCode::InvalidUserInput,
                  "the output " + shown(output) + " names a picture (" + extension +
                      "), but a video is written: end it in .mp4, .mkv or .avi");
    }
  }
  std::error_code ec;
  if (std::filesystem::is_directory(output, ec)) {
    failWrite("cannot write the video " + shown(output) + ": it is a folder; name a file (e.g. " +
              shown(output / "out.mp4") + ")");
  }
  const std::filesystem::path folder =
      output.has_parent_path() ? output.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::exists(folder, ec)) {
    failWrite("cannot write the video " + shown(output) + ": the folder " + shown(folder) +
              " does not exist; create it first");
  }
  if (width < 2 || height < 2) {
    failWrite("cannot write a " + std::to_string(width) + "x" + std::to_string(height) +
              " video to " + shown(output) + ": frames must be at least 2x2");
  }
  s.fps = std::isfinite(fps) && fps > 0.0 && fps <= 1000.0 ? fps : kFallbackFps;
  s.temporary = reserveTemporary(output);

  s.h264 = H264Encoder::open(s.temporary, width, height, s.fps);
  if (s.h264) {
    s.codec = "h264";
    return;
  }
  // OpenCV's FFmpeg writer drops the last column / row of an odd width or
  // height (4:2:0 chroma needs even sizes); frames are given at full size.
  const cv::Size size(width, height);
  for (const Codec& codec : kCodecs) {
    const int fourcc =
        cv::VideoWriter::fourcc(codec.fourcc[0], codec.fourcc[1], codec.fourcc[2], codec.fourcc[3]);
    bool opened = false;
    try {
      opened = s.writer.open(s.temporary.string(), cv::CAP_FFMPEG, fourcc, s.fps, size,
                             {cv::VIDEOWRITER_PROP_IS_COLOR, 1});
    } catch (const cv::Exception&) {
      opened = false;  // try the next codec; the message below covers both
    }
    if (opened) {
      s.codec = codec.name;
      return;
    }
  }
  s.discard();
  failWrite("cannot write the video " + shown(output) + ": FFmpeg has neither an H.264 nor an " +
            "MPEG-4 encoder for a '" + output.extension().string() +
            "' file (is the extension a video container?); use .mp4, .mkv or .avi");
}

VideoFileWriter::~VideoFileWriter() {
  if (state_ && !state_->committed) state_->discard();
}

void VideoFileWriter::write(const cv::Mat& rgb) {
  State& s = *state_;
  if (s.h264) {
    s.h264->write(rgb.ptr<std::uint8_t>());
    ++s.written;
    return;
  }
  try {
    cv::cvtColor(rgb, s.bgr, cv::COLOR_RGB2BGR);
    s.writer.write(s.bgr);
  } catch (const cv::Exception& e) {
    failWrite("writing frame " + std::to_string(state_->written) + " of " + shown(state_->output) +
              " failed: OpenCV: " + e.what());
  }
  ++state_->written;
}

void VideoFileWriter::commit() {
  State& s = *state_;
  try {
    if (s.h264) {
      s.h264->finish();
      s.h264.reset();
    }
    s.writer.release();
  } catch (const cv::Exception& e) {
    failWrite("finishing the video " + shown(s.output) + " failed: OpenCV: " + e.what());
  }
  // OpenCV's writer reports no error per frame or at the end (a full disk
  // passes silently), so read the file back: it must open and declare the
  // frames written. This reads the container's index, not the frames.
  {
    cv::VideoCapture check;
    bool opened = false;
    double declared = -1.0;
    try {
      opened = check.open(s.temporary.string(), cv::CAP_FFMPEG);
      if (opened) declared = check.get(cv::CAP_PROP_FRAME_COUNT);
    } catch (const cv::Exception&) {
      opened = false;
    }
    const auto count = static_cast<std::int64_t>(declared);
    if (!opened ||
        (s.written > 0 && count > 0 && count + truncationTolerance(s.written) < s.written)) {
      failWrite("the video written to " + shown(s.output) + " does not read back with its " +
                std::to_string(s.written) + " frames (is the disk full?); nothing was written");
    }
  }
  std::error_code ec;
  std::filesystem::rename(s.temporary, s.output, ec);
  if (ec) {
    failWrite("cannot move the finished video to " + shown(s.output) + " (" + ec.message() +
              "); nothing was written");
  }
  s.committed = true;
}

const std::string& VideoFileWriter::codec() const noexcept {
  return state_->codec;
}

double VideoFileWriter::fps() const noexcept {
  return state_->fps;
}

std::int64_t VideoFileWriter::framesWritten() const noexcept {
  return state_->written;
}

}  // namespace etvision::detail
