// Writes a processed video without ever leaving half of one behind: frames go
// to a temporary file beside the output (same folder, so the final rename is
// atomic; same extension, so FFmpeg picks the same container), which is
// checked and renamed over the output only by commit(). Destroying an
// uncommitted writer removes the temporary file, so an existing output is
// never replaced by a broken one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace cv {
class Mat;
}

namespace etvision::detail {

class VideoFileWriter {
 public:
  /// Opens `output` for frames of `width` x `height` at `fps` (0 or a
  /// nonsense rate: 30, see video_writer.cpp). Codec: H.264 through
  /// libavcodec at x264's "veryfast" preset (h264_encoder.h) when this
  /// FFmpeg has libx264 and a muxer for the extension, else OpenCV's writer:
  /// H.264 at x264's default preset, else MPEG-4 part 2. Throws
  /// FileWriteFailed when the output cannot be written (its folder is
  /// missing or read-only, it is a folder, FFmpeg knows no container for
  /// its extension) and InvalidUserInput when it has no extension.
  VideoFileWriter(const std::filesystem::path& output, int width, int height, double fps);
  ~VideoFileWriter();
  VideoFileWriter(const VideoFileWriter&) = delete;
  VideoFileWriter& operator=(const VideoFileWriter&) = delete;

  /// One packed RGB frame (CV_8UC3) of the size given at construction.
  void write(const cv::Mat& rgb);
  /// Finishes the file, checks that it reads back with every frame, and
  /// renames it to the output (replacing an existing file). Throws
  /// FileWriteFailed, leaving nothing behind, when any of that fails.
  void commit();

  /// "h264" or "mp4v".
  const std::string& codec() const noexcept;
  double fps() const noexcept;
  std::int64_t framesWritten() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace etvision::detail
