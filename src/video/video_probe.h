// Checks on a video file before and after FFmpeg sees it, so that the common
// failures get a message that says what is wrong instead of OpenCV's bare
// "could not open": no such file, a folder, an empty file, a still image
// renamed .mp4 (FFmpeg would happily open it as a one-frame video), an MP4
// cut short (its index is at the end, so FFmpeg refuses it outright).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace etvision::detail {

/// Throws FileReadFailed when `path` is clearly not a readable video:
/// missing, a folder, unreadable, empty, a still image (PNG, JPEG, ...;
/// GIF passes: FFmpeg plays animated GIFs), or an MP4/MOV whose top-level
/// boxes run past the end of the file. `what` names the source in messages
/// ("file 'in.mp4'").
void checkVideoFile(const std::filesystem::path& path, const std::string& what);

/// For an MP4/MOV (ISO base media file: an 'ftyp' box first): why its box
/// structure is incomplete ("its 'mdat' box declares N bytes but only M
/// remain"), or nullopt when it is complete or not such a file.
std::optional<std::string> isoMediaTruncation(const std::filesystem::path& path);

/// Frames a file may fall short of the count its container declares before
/// it counts as truncated (video_reader.cpp explains the numbers).
std::int64_t truncationTolerance(std::int64_t declaredFrames) noexcept;

}  // namespace etvision::detail
