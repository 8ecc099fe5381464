// H.264 output through libavcodec's libx264 directly, at a speed preset.
//
// OpenCV 4.6's FFmpeg writer opens x264 at its default preset ("medium"),
// which costs about 25 ms of CPU per 720p frame, more than decoding,
// inference and the effect together; it offers no way to pass encoder
// options (video_writer.cpp says why). Writing through libavcodec lets the
// video pipeline choose "veryfast": about 4x less CPU for a somewhat larger
// file at the same quality target (CRF 23).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace etvision::detail {

class H264Encoder {
 public:
  /// An encoder writing `path` (container from its extension: .mp4, .mkv,
  /// .mov, ...) for `width` x `height` frames at `fps`, or nullptr when this
  /// FFmpeg build has no libx264 encoder or no muxer for the extension (the
  /// caller falls back to OpenCV's writer). Odd sizes are encoded one column
  /// / row smaller (4:2:0 needs even sizes). Throws Error(FileWriteFailed)
  /// when the file cannot be created.
  static std::unique_ptr<H264Encoder> open(const std::filesystem::path& path, int width, int height,
                                           double fps);
  ~H264Encoder();
  H264Encoder(const H264Encoder&) = delete;
  H264Encoder& operator=(const H264Encoder&) = delete;

  /// Encodes one packed RGB frame (width * 3 bytes per row). Throws
  /// Error(FileWriteFailed) on an encoder or write failure.
  void write(const std::uint8_t* rgb);

  /// Flushes the encoder and completes the file. Throws like write(). The
  /// destructor without finish() closes the file incomplete (the caller
  /// removes it).
  void finish();

 private:
  struct State;
  explicit H264Encoder(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace etvision::detail
