// The CLI's video mode: `etvision segment VIDEO|--camera N` and
// `etvision classify VIDEO|--camera N`. A single image argument that names a
// video (by extension, or an rtsp:// / rtmp:// URL) or --camera switches the
// command from images to frames.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "etvision/classification.h"
#include "etvision/segmentation.h"
#include "etvision/video.h"

namespace etvision::cli {

struct VideoArguments {
  /// --camera: an index ("0") or a device path ("/dev/video2").
  std::string camera;
  /// --effect: blur[=SIGMA], replace=IMAGE, color=#RRGGBB, overlay[=#RRGGBB],
  /// mask or none.
  std::string effect = "blur";
  /// --output: the processed video.
  std::string output;
  /// --smooth: EffectOptions::temporalSmoothing (the CLI's default 0.5).
  float smooth = 0.5f;
  /// --frames: stop after this many frames (0: all; needed for cameras
  /// unless interrupted).
  std::int64_t frames = 0;
  /// --every (classify): every Nth frame.
  int every = 1;
  /// --per-frame (segment --json): one line per frame before the summary.
  bool perFrame = false;
  /// --paced: read a file at its frame rate with the live policy.
  bool paced = false;
};

/// Registers the video options on `command` (`segment` adds the effect ones).
void addVideoOptions(CLI::App& command, VideoArguments& arguments, bool segment);

/// The video the command line names, if any: --camera, or exactly one
/// argument that looks like a video (a file with a video extension, an
/// rtsp:// / rtmp:// URL, an http(s):// URL of a video or playlist).
/// Throws UsageError for a video among other images or with --camera.
std::optional<VideoInput> videoInputOf(const std::vector<std::string>& images,
                                       const VideoArguments& arguments);

/// Runs `etvision segment` on a video; returns the exit code.
int runSegmentVideo(ImageSegmentationModule& segmenter, const std::string& modelName,
                    const VideoInput& input, const VideoArguments& arguments,
                    const std::vector<std::string>& classes, bool json);

/// Runs `etvision classify` on a video; returns the exit code.
int runClassifyVideo(ClassificationModule& classifier, const std::string& modelName,
                     const VideoInput& input, const VideoArguments& arguments, std::size_t top,
                     bool json);

}  // namespace etvision::cli
