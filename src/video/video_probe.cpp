#include "video/video_probe.h"

#include <array>
#include <cstring>
#include <fstream>
#include <system_error>

#include "etvision/error.h"
#include "image/image_header.h"

namespace etvision::detail {
namespace {

std::uint64_t bigEndian(const std::uint8_t* bytes, std::size_t count) noexcept {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) value = (value << 8) | bytes[i];
  return value;
}

[[noreturn]] void fail(const std::string& message) {
  throw Error(ErrorCode::FileReadFailed, message);
}

}  // namespace

void checkVideoFile(const std::filesystem::path& path, const std::string& what) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    fail(what + " does not exist: check the path (relative paths start at the current folder, " +
         std::filesystem::current_path(ec).string() + ")");
  }
  if (std::filesystem::is_directory(status)) {
    fail(what + " is a folder, not a video file: name a file in it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fail(what + " cannot be read (" + std::strerror(errno) + "): check its permissions");
  }
  std::array<std::uint8_t, 64> head{};
  in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
  const auto got = static_cast<std::size_t>(in.gcount());
  if (got == 0) fail(what + " is empty (0 bytes): the recording or copy did not complete");
  const ImageFormat image = sniffImageFormat(std::span(head.data(), got));
  // FFmpeg's image demuxers open a still picture as a one-frame "video";
  // that is never what a caller of the video API meant. Animated GIFs are
  // real videos to FFmpeg, so they pass.
  if (image != ImageFormat::Unknown && image != ImageFormat::Gif) {
    fail(what + " is a " + imageFormatName(image) +
         " image, not a video: classify or segment it as an image (ImageSource, or the CLI "
         "without video options)");
  }
  if (auto truncated = isoMediaTruncation(path)) fail(what + " is truncated: " + *truncated);
}

std::optional<std::string> isoMediaTruncation(const std::filesystem::path& path) {
  // MP4, MOV and 3GP files are a sequence of boxes (size, type, payload).
  // Writers usually put the 'moov' index after the media data, so a file
  // cut short has lost it and FFmpeg reports only "moov atom not found";
  // walking the top-level boxes tells the user what actually happened.
  std::error_code ec;
  const std::uint64_t fileSize = std::filesystem::file_size(path, ec);
  if (ec) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::uint64_t offset = 0;
  bool first = true;
  bool sawIndex = false;
  // A real file has a handful of top-level boxes; the bound only keeps a
  // hostile file from making this loop long.
  for (int boxes = 0; boxes < 100000 && offset < fileSize; ++boxes) {
    std::array<std::uint8_t, 16> header{};
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(header.data()), 16);
    const auto got = static_cast<std::uint64_t>(in.gcount());
    in.clear();
    if (got < 8) {
      if (first) return std::nullopt;
      return "it ends inside a box header, " + std::to_string(fileSize - offset) +
             " bytes after the last complete box: the download or copy is incomplete";
    }
    const std::string type(reinterpret_cast<const char*>(header.data() + 4), 4);
    if (first && type != "ftyp") return std::nullopt;  // not an ISO media file
    first = false;
    std::uint64_t size = bigEndian(header.data(), 4);
    if (size == 1) {
      if (got < 16) return "it ends inside the header of its '" + type + "' box";
      size = bigEndian(header.data() + 8, 8);
    } else if (size == 0) {
      size = fileSize - offset;  // "extends to the end of the file"
    }
    if (size < 8) return std::nullopt;  // malformed rather than short: let FFmpeg judge
    if (type == "moov") sawIndex = true;
    if (size > fileSize - offset) {
      return "its '" + type + "' box declares " + std::to_string(size) + " bytes but only " +
             std::to_string(fileSize - offset) +
             " remain in the file: the download, copy or recording is incomplete (an MP4 " +
             "needs its end, where the 'moov' index usually is); get the whole file again";
    }
    offset += size;
  }
  if (!first && !sawIndex) {
    return "it has no 'moov' index box: the recording was interrupted before it was "
           "finalised, or the file is damaged";
  }
  return std::nullopt;
}

std::int64_t truncationTolerance(std::int64_t declaredFrames) noexcept {
  // The declared count is exact for MP4/MOV (the sample table) and AVI (the
  // header), but Matroska and WebM declare none: OpenCV estimates it from
  // the container's duration times the nominal rate, and that duration
  // covers the longest stream (audio often outlasts the video by a few
  // tenths of a second) and variable frame rates. Edit lists can also hide
  // a few leading frames. Allow 2 frames plus 5 %: a file cut anywhere
  // before its last 5 % is still reported, and an ordinary file is never
  // refused after being processed to its end.
  return 2 + declaredFrames / 20;
}

}  // namespace etvision::detail
