// VideoInput and VideoReader (etvision/video.h) over OpenCV's video I/O:
// the FFmpeg backend for files and streams, V4L2 for cameras.
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "etvision/error.h"
#include "etvision/video.h"
#include "fetch/uri.h"
#include "image/source_text.h"
#include "video/video_probe.h"

namespace etvision {
namespace {

using Clock = std::chrono::steady_clock;

// Streams: how long FFmpeg may take to connect, and to deliver the next
// packet, before the read gives up; a dead server must not hang the caller.
constexpr int kStreamOpenTimeoutMs = 10000;
constexpr int kStreamReadTimeoutMs = 10000;

[[noreturn]] void fail(const std::string& message) {
  throw Error(ErrorCode::FileReadFailed, message);
}

std::string fourccText(double value) {
  const auto code = static_cast<std::uint32_t>(static_cast<std::int64_t>(value));
  std::string text;
  for (int shift = 0; shift < 32; shift += 8) {
    const auto c = static_cast<unsigned char>((code >> shift) & 0xFF);
    if (c == 0) break;
    text.push_back(std::isprint(c) ? static_cast<char>(std::tolower(c)) : '?');
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string cameraDevice(const VideoInput& input) {
  return input.cameraIndex >= 0 ? "/dev/video" + std::to_string(input.cameraIndex) : input.location;
}

}  // namespace

// --- VideoInput --------------------------------------------------------------

VideoInput VideoInput::file(std::filesystem::path path) {
  VideoInput input;
  input.kind = Kind::File;
  input.location = path.string();
  return input;
}

VideoInput VideoInput::camera(int index) {
  if (index < 0) {
    throw Error(ErrorCode::InvalidUserInput,
                "camera index " + std::to_string(index) +
                    " is negative: cameras are /dev/video0, /dev/video1, ... (index 0, 1, ...)");
  }
  VideoInput input;
  input.kind = Kind::Camera;
  input.cameraIndex = index;
  input.location = "/dev/video" + std::to_string(index);
  return input;
}

VideoInput VideoInput::camera(std::string device) {
  VideoInput input;
  input.kind = Kind::Camera;
  input.location = std::move(device);
  return input;
}

VideoInput VideoInput::stream(std::string url) {
  VideoInput input;
  input.kind = Kind::Stream;
  input.location = std::move(url);
  return input;
}

std::string VideoInput::describe() const {
  switch (kind) {
    case Kind::File: return "file '" + detail::shortenForMessage(location) + "'";
    case Kind::Camera: return "camera " + detail::shortenForMessage(cameraDevice(*this));
    case Kind::Stream:
      return "stream " + detail::shortenForMessage(detail::urlForDisplay(location));
  }
  return location;
}

// --- VideoReader -------------------------------------------------------------

}  // namespace etvision

namespace etvision::detail {

// The reader's state and steps. In detail (hidden) rather than as members of
// VideoReader::State, which would be exported with the public class.
struct ReaderState {
  VideoInput input;
  std::string what;  // input.describe()
  cv::VideoCapture capture;
  VideoInfo info;
  /// Index of the next frame.
  std::int64_t next = 0;
  double lastTimestamp = 0.0;
  Clock::time_point opened;
  cv::Mat decoded;
  /// Live sources: the first frame, read while opening to prove the source
  /// delivers (a busy camera opens fine and then yields nothing).
  std::optional<VideoFrame> first;
  bool ended = false;

  void openFile();
  void openCamera();
  void openStream();
  void readInfo();
  std::optional<VideoFrame> grab();
  [[noreturn]] void failEnded();
};

void ReaderState::openFile() {
  detail::checkVideoFile(input.location, what);
  // Absolute, so FFmpeg never reads "name:with:colons.mp4" as a protocol.
  std::error_code ec;
  const std::filesystem::path path = std::filesystem::absolute(input.location, ec);
  const std::string name = ec ? input.location : path.string();
  if (!capture.open(name, cv::CAP_FFMPEG)) {
    // OpenCV does not say why; these are the causes that get past
    // checkVideoFile (which already caught missing, empty, still images and
    // cut MP4s).
    fail(what +
         " cannot be opened as a video: FFmpeg finds no video stream it can decode in it. It is "
         "not a video file, it is damaged or cut short, or its codec is one this FFmpeg build "
         "cannot decode (`ffprobe FILE` names the format and codec; re-encode it to H.264, e.g. "
         "`ffmpeg -i FILE -c:v libx264 out.mp4`)");
  }
}

void ReaderState::openCamera() {
  const std::string device = cameraDevice(input);
  std::error_code ec;
  if (!std::filesystem::exists(device, ec)) {
    fail(what + " does not exist: no camera is connected there. Connect one or pick another: " +
         "`ls /dev/video*` lists the devices, `v4l2-ctl --list-devices` names them");
  }
  if (::access(device.c_str(), R_OK | W_OK) != 0) {
    fail(what + " cannot be opened (" + std::strerror(errno) +
         "): add your user to the 'video' group (`sudo usermod -aG video $USER`, then log in "
         "again) or run with access to the device");
  }
  const bool isOpen = input.cameraIndex >= 0 ? capture.open(input.cameraIndex, cv::CAP_V4L2)
                                             : capture.open(device, cv::CAP_V4L2);
  if (!isOpen) {
    fail(what +
         " cannot be opened: it is not a video capture device (some /dev/video nodes carry "
         "metadata only; `v4l2-ctl --list-devices` shows which node captures) or another "
         "program holds it");
  }
}

void ReaderState::openStream() {
  const std::vector<int> params{cv::CAP_PROP_OPEN_TIMEOUT_MSEC, kStreamOpenTimeoutMs,
                                cv::CAP_PROP_READ_TIMEOUT_MSEC, kStreamReadTimeoutMs};
  if (!capture.open(input.location, cv::CAP_FFMPEG, params)) {
    fail(what + " cannot be opened (refused, unreachable, not a video, or no answer within " +
         std::to_string(kStreamOpenTimeoutMs / 1000) +
         " s): check the URL, that the server is up and reachable from here, and any "
         "credentials; rtsp://, rtmp://, http(s):// (HLS, MJPEG) are supported");
  }
}

void ReaderState::readInfo() {
  info.live = input.live();
  info.width = static_cast<int>(capture.get(cv::CAP_PROP_FRAME_WIDTH));
  info.height = static_cast<int>(capture.get(cv::CAP_PROP_FRAME_HEIGHT));
  const double fps = capture.get(cv::CAP_PROP_FPS);
  // Some demuxers report 90000 (a time base) or NaN when they do not know.
  info.fps = std::isfinite(fps) && fps > 0.0 && fps <= 1000.0 ? fps : 0.0;
  info.codec = fourccText(capture.get(cv::CAP_PROP_FOURCC));
  if (input.kind != VideoInput::Kind::Camera) {
    // A paced file keeps its count: it is still a file, and the count is
    // what "processed + dropped" adds up to.
    const double count = capture.get(cv::CAP_PROP_FRAME_COUNT);
    info.frameCount =
        std::isfinite(count) && count > 0.0 && count < 1e12 ? static_cast<std::int64_t>(count) : -1;
    // A stream that declares its length is a recording served over the
    // network (an .mp4 over http): nothing is lost by waiting for
    // inference, so every frame is processed, as from a file. Live streams
    // (RTSP, live HLS) declare none.
    if (input.kind == VideoInput::Kind::Stream && info.frameCount > 0) info.live = false;
  }
}

std::optional<VideoFrame> ReaderState::grab() {
  if (!capture.read(decoded) || decoded.empty()) return std::nullopt;
  VideoFrame frame;
  frame.index = next++;
  if (input.kind == VideoInput::Kind::File) {
    // The container's timestamp of this frame. OpenCV 4.6 reports 0 for
    // the frames H.264 holds back until the end of the file (no pts once
    // the decoder is drained), so a timestamp that does not advance is
    // replaced by the previous one plus a frame period.
    const double period = 1.0 / (info.fps > 0.0 ? info.fps : 30.0);
    double seconds = capture.get(cv::CAP_PROP_POS_MSEC) / 1000.0;
    if (frame.index > 0 && !(seconds > lastTimestamp)) seconds = lastTimestamp + period;
    if (!std::isfinite(seconds) || seconds < 0.0) seconds = 0.0;
    frame.timestamp = seconds;
  } else {
    frame.timestamp = std::chrono::duration<double>(Clock::now() - opened).count();
  }
  lastTimestamp = frame.timestamp;

  cv::Mat eight = decoded;
  if (decoded.depth() != CV_8U) {
    // High-bit-depth sources (rare; OpenCV normally converts): scale to 8.
    decoded.convertTo(eight, CV_8U, decoded.depth() == CV_16U ? 1.0 / 257.0 : 1.0);
  }
  frame.width = eight.cols;
  frame.height = eight.rows;
  frame.rgb.resize(static_cast<std::size_t>(frame.width) * static_cast<std::size_t>(frame.height) *
                   3);
  cv::Mat rgb(frame.height, frame.width, CV_8UC3, frame.rgb.data());
  switch (eight.channels()) {
    case 1: cv::cvtColor(eight, rgb, cv::COLOR_GRAY2RGB); break;
    case 4: cv::cvtColor(eight, rgb, cv::COLOR_BGRA2RGB); break;
    default: cv::cvtColor(eight, rgb, cv::COLOR_BGR2RGB); break;
  }
  return frame;
}

void ReaderState::failEnded() {
  switch (input.kind) {
    case VideoInput::Kind::File:
      fail(what + " ends after " + std::to_string(next) + " of the " +
           std::to_string(info.frameCount) +
           " frames its container declares: it is truncated (an incomplete download or copy) "
           "or damaged from there on. Get the whole file again, or re-encode the part that "
           "decodes (`ffmpeg -i FILE -c:v libx264 fixed.mp4`) to process it");
    case VideoInput::Kind::Camera:
      fail(what + (next == 0 ? " opened but delivers no frames: another program is probably "
                               "using it (close it), or the node is not a capture device"
                             : " stopped delivering frames after " + std::to_string(next) +
                                   ": was it unplugged?"));
    case VideoInput::Kind::Stream:
      fail(what + " opened but delivered no frame within " +
           std::to_string(kStreamReadTimeoutMs / 1000) +
           " s: the stream is idle, or its video cannot be decoded");
  }
  fail(what + " ended unexpectedly");
}

}  // namespace etvision::detail

namespace etvision {

struct VideoReader::State {
  detail::ReaderState reader;
};

VideoReader::VideoReader(const VideoInput& input) : state_(std::make_unique<State>()) {
  detail::ReaderState& s = state_->reader;
  s.input = input;
  s.what = input.describe();
  if (input.location.empty()) {
    throw Error(ErrorCode::InvalidUserInput,
                "the video input names no " +
                    std::string(input.kind == VideoInput::Kind::File     ? "file"
                                : input.kind == VideoInput::Kind::Camera ? "camera"
                                                                         : "stream URL") +
                    ": use VideoInput::file(path), camera(index) or stream(url)");
  }
  try {
    switch (input.kind) {
      case VideoInput::Kind::File: s.openFile(); break;
      case VideoInput::Kind::Camera: s.openCamera(); break;
      case VideoInput::Kind::Stream: s.openStream(); break;
    }
  } catch (const cv::Exception& e) {
    fail(s.what + " cannot be opened: OpenCV: " + e.what());
  }
  s.opened = Clock::now();
  s.readInfo();
  if (input.kind != VideoInput::Kind::File) {
    s.first = s.grab();
    if (!s.first) s.failEnded();
    // Cameras and some streams report their size only once they deliver.
    s.info.width = s.first->width;
    s.info.height = s.first->height;
  }
}

VideoReader::~VideoReader() = default;
VideoReader::VideoReader(VideoReader&&) noexcept = default;
VideoReader& VideoReader::operator=(VideoReader&&) noexcept = default;

const VideoInfo& VideoReader::info() const noexcept {
  return state_->reader.info;
}

std::optional<VideoFrame> VideoReader::read() {
  detail::ReaderState& s = state_->reader;
  if (s.first) {
    std::optional<VideoFrame> frame = std::move(s.first);
    s.first.reset();
    return frame;
  }
  if (s.ended) return std::nullopt;
  std::optional<VideoFrame> frame;
  try {
    frame = s.grab();
  } catch (const cv::Exception& e) {
    s.ended = true;
    fail(s.what + ": decoding frame " + std::to_string(s.next) + " failed: OpenCV: " + e.what());
  }
  if (!frame) {
    s.ended = true;
    s.capture.release();
    switch (s.input.kind) {
      case VideoInput::Kind::File:
        if (s.info.frameCount > 0 &&
            s.next + detail::truncationTolerance(s.info.frameCount) < s.info.frameCount) {
          s.failEnded();
        }
        break;
      case VideoInput::Kind::Camera: s.failEnded();
      case VideoInput::Kind::Stream: break;  // streams end; the first frame proved it worked
    }
    return std::nullopt;
  }
  if (s.input.paced) {
    // Deliver at the file's own rate, as a camera would.
    std::this_thread::sleep_until(s.opened + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(frame->timestamp)));
  }
  return frame;
}

}  // namespace etvision
