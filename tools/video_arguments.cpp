#include "video_arguments.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "etvision/error.h"

namespace etvision::cli {

namespace {

constexpr const char* kVideoExtensions[] = {".mp4", ".m4v",  ".mkv", ".webm", ".mov", ".avi",
                                            ".mpg", ".mpeg", ".ts",  ".flv",  ".wmv", ".3gp"};

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool hasVideoExtension(const std::string& path) {
  const std::string extension = lowercase(std::filesystem::path(path).extension().string());
  return std::find(std::begin(kVideoExtensions), std::end(kVideoExtensions), extension) !=
         std::end(kVideoExtensions);
}

bool looksLikeVideo(const std::string& argument) {
  const std::string text = lowercase(argument);
  if (text.starts_with("rtsp://") || text.starts_with("rtmp://")) return true;
  if (text.starts_with("http://") || text.starts_with("https://")) {
    const std::string path = text.substr(0, text.find_first_of("?#"));
    return hasVideoExtension(path) || path.ends_with(".m3u8") || path.ends_with(".mjpg");
  }
  if (text.starts_with("data:")) return false;
  return hasVideoExtension(argument);
}

[[noreturn]] void badEffect(const std::string& effect, const std::string& why) {
  throw UsageError(ErrorCode::InvalidUserInput,
                   "--effect '" + effect + "': " + why +
                       ". Use blur[=SIGMA], replace=IMAGE, color=#RRGGBB, overlay[=#RRGGBB], "
                       "mask or none.");
}

std::array<std::uint8_t, 3> parseColor(const std::string& effect, const std::string& text) {
  const bool ok = text.size() == 7 && text[0] == '#' &&
                  std::all_of(text.begin() + 1, text.end(),
                              [](unsigned char c) { return std::isxdigit(c) != 0; });
  if (!ok) badEffect(effect, "'" + text + "' is not a #RRGGBB colour");
  const unsigned long value = std::stoul(text.substr(1), nullptr, 16);
  return {static_cast<std::uint8_t>(value >> 16), static_cast<std::uint8_t>(value >> 8),
          static_cast<std::uint8_t>(value)};
}

EffectOptions parseEffect(const VideoArguments& arguments,
                          const std::vector<std::string>& classes) {
  EffectOptions effect;
  effect.foreground = classes;
  effect.temporalSmoothing = arguments.smooth;
  const std::string& text = arguments.effect;
  const auto equals = text.find('=');
  const std::string name = text.substr(0, equals);
  const std::string value = equals == std::string::npos ? "" : text.substr(equals + 1);
  if (name == "blur") {
    effect.kind = EffectKind::Blur;
    if (equals != std::string::npos) {
      try {
        std::size_t used = 0;
        effect.blurSigma = std::stof(value, &used);
        if (used != value.size()) throw std::invalid_argument(value);
      } catch (const std::exception&) {
        badEffect(text, "the blur sigma must be a number of pixels");
      }
    }
  } else if (name == "replace") {
    if (value.empty()) badEffect(text, "replace needs an image: replace=IMAGE");
    effect.kind = EffectKind::Replace;
    effect.background = ImageSource(value);
  } else if (name == "color") {
    effect.kind = EffectKind::Replace;
    effect.color = parseColor(text, value);
  } else if (name == "overlay") {
    effect.kind = EffectKind::Overlay;
    if (equals != std::string::npos) effect.color = parseColor(text, value);
  } else if (name == "mask" && equals == std::string::npos) {
    effect.kind = EffectKind::Mask;
  } else if (name == "none" && equals == std::string::npos) {
    effect.kind = EffectKind::None;
  } else {
    badEffect(text, "unknown effect");
  }
  return effect;
}

// Ctrl-C on a camera or stream ends the run cleanly (the output is
// completed) instead of killing the process mid-write.
volatile std::sig_atomic_t interrupted = 0;

void onInterrupt(int) {
  interrupted = 1;
}

class InterruptScope {
 public:
  InterruptScope() {
    interrupted = 0;
    previous_ = std::signal(SIGINT, onInterrupt);
  }
  ~InterruptScope() { std::signal(SIGINT, previous_); }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  void (*previous_)(int) = SIG_DFL;
};

/// "segment: 120/300 frames, 61.2 fps" redrawn on stderr when it is a
/// terminal; returns whether to stop (Ctrl-C).
std::function<bool(std::int64_t, std::int64_t)> makeFrameProgress(std::string label) {
  const bool terminal = isatty(STDERR_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  return [label = std::move(label), terminal, start](std::int64_t done, std::int64_t total) {
    if (terminal) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double fps = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
      if (total > 0) {
        std::fprintf(stderr, "\r%s: %lld/%lld frames, %.1f fps ", label.c_str(),
                     static_cast<long long>(done), static_cast<long long>(total), fps);
      } else {
        std::fprintf(stderr, "\r%s: %lld frames, %.1f fps ", label.c_str(),
                     static_cast<long long>(done), fps);
      }
      std::fflush(stderr);
    }
    return interrupted != 0;
  };
}

/// Runs `run(onProgress)` with the terminal progress line labelled
/// `label` and Ctrl-C ending the run cleanly; the line is ended whatever
/// happens.
template <typename Run>
VideoSummary withProgress(const std::string& label, Run&& run) {
  const InterruptScope interrupt;
  const bool terminal = isatty(STDERR_FILENO) != 0;
  try {
    VideoSummary summary = run(makeFrameProgress(label));
    if (terminal) std::fputc('\n', stderr);
    return summary;
  } catch (...) {
    if (terminal) std::fputc('\n', stderr);
    throw;
  }
}

/// VideoSummary::busySeconds in milliseconds per processed frame: where the
/// time went (the stages overlap).
VideoSummary::StageSeconds busyMsPerFrame(const VideoSummary& summary) {
  const double scale = 1000.0 / (summary.frames > 0 ? static_cast<double>(summary.frames) : 1.0);
  const VideoSummary::StageSeconds& busy = summary.busySeconds;
  return {busy.decode * scale, busy.infer * scale, busy.effect * scale, busy.encode * scale};
}

nlohmann::json summaryJson(const VideoInput& input, const std::string& model,
                           const VideoSummary& summary) {
  nlohmann::json line{{"video", input.location},      {"model", model},
                      {"width", summary.input.width}, {"height", summary.input.height},
                      {"frames", summary.frames},     {"dropped", summary.dropped},
                      {"fps", summary.fps},           {"seconds", summary.seconds}};
  const VideoSummary::StageSeconds busy = busyMsPerFrame(summary);
  line["busy_ms_per_frame"] = {{"decode", busy.decode},
                               {"infer", busy.infer},
                               {"effect", busy.effect},
                               {"encode", busy.encode}};
  return line;
}

void prepareOutputFolder(const std::string& output) {
  const std::filesystem::path parent = std::filesystem::path(output).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);  // the library reports what fails
}

}  // namespace

void addVideoOptions(CLI::App& command, VideoArguments& arguments, bool segment) {
  command.add_option("--camera", arguments.camera,
                     "Read frames from a camera: an index (0 = /dev/video0) or a device path");
  command
      .add_option("--frames", arguments.frames,
                  "Videos: stop after this many frames (cameras and streams run until Ctrl-C "
                  "without it)")
      ->check(CLI::NonNegativeNumber);
  command.add_flag("--paced", arguments.paced,
                   "Videos: read a file at its frame rate, dropping frames when inference falls "
                   "behind, as with a camera");
  if (segment) {
    command
        .add_option("--effect", arguments.effect,
                    "Videos: blur[=SIGMA], replace=IMAGE, color=#RRGGBB, overlay[=#RRGGBB], "
                    "mask or none (default blur); --classes names the foreground")
        ->capture_default_str();
    command.add_option("-o,--output", arguments.output,
                       "Videos: write the processed video here (.mp4, .mkv, .avi; H.264 when "
                       "available)");
    command
        .add_option("--smooth", arguments.smooth,
                    "Videos: temporal smoothing of the mask between frames, 0 (off) to 0.95")
        ->capture_default_str()
        ->check(CLI::Range(0.0f, 0.95f));
    command.add_flag("--per-frame", arguments.perFrame,
                     "Videos with --json: one line per frame {frame, time, classes} before the "
                     "summary");
  } else {
    command.add_option("--every", arguments.every, "Videos: classify every Nth frame")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  }
}

std::optional<VideoInput> videoInputOf(const std::vector<std::string>& images,
                                       const VideoArguments& arguments) {
  const auto video = std::find_if(images.begin(), images.end(), looksLikeVideo);
  if (!arguments.camera.empty()) {
    if (!images.empty()) {
      throw UsageError(ErrorCode::InvalidUserInput,
                       "--camera reads frames from the camera; drop the image arguments (" +
                           images.front() + ").");
    }
    const bool index = std::all_of(arguments.camera.begin(), arguments.camera.end(),
                                   [](unsigned char c) { return std::isdigit(c) != 0; });
    return index ? VideoInput::camera(std::stoi(arguments.camera))
                 : VideoInput::camera(arguments.camera);
  }
  if (video == images.end()) return std::nullopt;
  if (images.size() != 1) {
    throw UsageError(ErrorCode::InvalidUserInput,
                     "'" + *video +
                         "' is a video: give it alone (one video per command), not "
                         "among other images.");
  }
  const std::string text = lowercase(*video);
  const bool stream = text.starts_with("rtsp://") || text.starts_with("rtmp://") ||
                      text.starts_with("http://") || text.starts_with("https://");
  VideoInput input = stream ? VideoInput::stream(*video) : VideoInput::file(*video);
  input.paced = arguments.paced && !stream;
  return input;
}

int runSegmentVideo(ImageSegmentationModule& segmenter, const std::string& modelName,
                    const VideoInput& input, const VideoArguments& arguments,
                    const std::vector<std::string>& classes, bool json) {
  VideoSegmentOptions options;
  options.effect = parseEffect(arguments, classes);
  if (!arguments.output.empty()) {
    if (options.effect.kind == EffectKind::None) {
      throw UsageError(ErrorCode::InvalidUserInput,
                       "--effect none draws nothing; drop --output or pick an effect.");
    }
    prepareOutputFolder(arguments.output);
    options.output = arguments.output;
  }
  options.maxFrames = arguments.frames;
  if (json && arguments.perFrame) {
    options.onFrame = [](const SegmentedFrame& frame) {
      nlohmann::json classesPresent = nlohmann::json::array();
      for (std::size_t c = 0; c < frame.classShares.size(); ++c) {
        if (frame.classShares[c] > 0.0) {
          classesPresent.push_back(
              {{"index", c}, {"label", (*frame.labels)[c]}, {"share", frame.classShares[c]}});
        }
      }
      std::cout << nlohmann::json{{"frame", frame.index},
                                  {"time", frame.timestamp},
                                  {"classes", classesPresent}}
                       .dump()
                << "\n";
    };
  }
  const VideoSummary summary = withProgress("segment " + input.describe(), [&](auto onProgress) {
    options.onProgress = std::move(onProgress);
    return segmentVideo(segmenter, input, options);
  });
  if (json) {
    nlohmann::json line = summaryJson(input, modelName, summary);
    if (!options.output.empty()) {
      line["output"] = options.output.string();
      line["codec"] = summary.outputCodec;
    }
    std::cout << line.dump() << "\n";
  } else {
    std::cout << input.describe() << " (" << summary.input.width << "x" << summary.input.height
              << "): " << summary.frames << " frames in " << std::fixed << std::setprecision(2)
              << summary.seconds << " s, " << std::setprecision(1) << summary.fps << " fps";
    if (summary.dropped > 0) std::cout << ", " << summary.dropped << " dropped";
    std::cout << "\n";
    const VideoSummary::StageSeconds busy = busyMsPerFrame(summary);
    std::cout << "  busy per frame: decode " << std::setprecision(1) << busy.decode << " ms, infer "
              << busy.infer << " ms";
    if (!options.output.empty()) {
      std::cout << ", effect " << busy.effect << " ms, encode " << busy.encode << " ms";
    }
    std::cout << "\n";
    if (!options.output.empty()) {
      std::cout << "  output: " << options.output.string() << " (" << summary.outputCodec << ")\n";
    }
  }
  return 0;
}

int runClassifyVideo(ClassificationModule& classifier, const std::string& modelName,
                     const VideoInput& input, const VideoArguments& arguments, std::size_t top,
                     bool json) {
  VideoClassifyOptions options;
  options.every = arguments.every;
  options.maxResults = top;
  options.maxFrames = arguments.frames;
  options.onFrame = [&](const ClassifiedFrame& frame) {
    if (json) {
      nlohmann::json categories = nlohmann::json::array();
      for (const Category& category : frame.top) {
        categories.push_back({{"index", category.index},
                              {"label", category.label},
                              {"probability", category.probability}});
      }
      std::cout << nlohmann::json{{"frame", frame.index},
                                  {"time", frame.timestamp},
                                  {"model", modelName},
                                  {"top", categories}}
                       .dump()
                << "\n";
    } else {
      std::cout << "frame " << frame.index << " (" << std::fixed << std::setprecision(2)
                << frame.timestamp << " s)";
      for (const Category& category : frame.top) {
        std::cout << "  " << std::setprecision(4) << category.probability << " " << category.label;
      }
      std::cout << "\n";
    }
  };
  const VideoSummary summary = withProgress("classify " + input.describe(), [&](auto onProgress) {
    options.onProgress = std::move(onProgress);
    return classifyVideo(classifier, input, options);
  });
  if (!json) {
    std::cout << input.describe() << ": " << summary.frames << " frames classified in "
              << std::fixed << std::setprecision(2) << summary.seconds << " s\n";
  }
  return 0;
}

}  // namespace etvision::cli
