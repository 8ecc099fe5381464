// etvision segment IMAGE|DIR... [--model ...] [--classes PERSON,CAT] [--resize]
//                  [--overlay out.png|OUTDIR] [--mask out.png|OUTDIR] [--json]
//                  [--threads N] [--fast-decode]
// etvision segment VIDEO|--camera N [--effect ...] [--output OUT.mp4] [--json]
//                  [--per-frame] [--smooth S] [--frames N] (video_arguments.h)
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "error_output.h"
#include "etvision/error.h"
#include "etvision/overlay.h"
#include "etvision/segmentation.h"
#include "image_arguments.h"
#include "model_argument.h"
#include "progress_bar.h"
#include "runtime_arguments.h"
#include "video_arguments.h"

namespace etvision::cli {

namespace {

// The label set of segmentation models that name none (see explainPreprocessing).
constexpr std::string_view kDefaultLabels = "Pascal VOC's 21";

struct SegmentArguments {
  std::vector<std::string> images;
  ModelArgument model{.model = "deeplab_v3_resnet50"};
  std::vector<std::string> classes;
  bool resize = false;
  std::string overlay;
  std::string mask;
  bool json = false;
  RuntimeArguments runtime;
  VideoArguments video;
};

/// With a directory among the images, `pattern` is an output directory and
/// the picture is <pattern>/<image stem>.png; otherwise, with several images,
/// out.png becomes out_<image stem>.png.
std::filesystem::path outputPathFor(const std::string& pattern, const std::string& image,
                                    std::size_t imageCount, bool intoDirectory) {
  std::filesystem::path path(pattern);
  if (intoDirectory) {
    return path / (std::filesystem::path(image).stem().string() + ".png");
  }
  if (imageCount <= 1) return path;
  const std::string stem = std::filesystem::path(image).stem().string();
  return path.parent_path() / (path.stem().string() + "_" + stem + path.extension().string());
}

/// Writes `bytes` to `path`, creating missing parent folders, through a
/// temporary file renamed into place: a failure never leaves a half-written
/// picture behind.
void writeFile(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path partial = path.string() + ".part";
  {
    std::ofstream out(partial, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (out.flush()) {
      out.close();
      std::filesystem::rename(partial, path, ec);
      if (!ec) return;
    }
  }
  std::filesystem::remove(partial, ec);
  throw Error(ErrorCode::FileWriteFailed,
              "Cannot write '" + path.string() + "': check that its folder is writable.");
}

/// Creates `directory` (an --overlay / --mask output directory) if needed.
void prepareOutputDirectory(const std::string& option, const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (!std::filesystem::is_directory(directory, ec)) {
    throw Error(ErrorCode::FileWriteFailed,
                "With a directory of images, " + option + " names an output directory, and '" +
                    directory + "' is not one and cannot be created; pass a directory path.");
  }
}

nlohmann::json presentClasses(const Segmentation& result) {
  nlohmann::json classes = nlohmann::json::array();
  const auto shares = result.classShares();
  for (std::size_t c = 0; c < shares.size(); ++c) {
    if (shares[c] > 0.0) {
      classes.push_back({{"index", c}, {"label", (*result.labels)[c]}, {"share", shares[c]}});
    }
  }
  std::stable_sort(classes.begin(), classes.end(), [](const auto& a, const auto& b) {
    return a["share"].template get<double>() > b["share"].template get<double>();
  });
  return classes;
}

}  // namespace

CommandRunner addSegmentCommand(CLI::App& app) {
  auto args = std::make_shared<SegmentArguments>();
  CLI::App* command = app.add_subcommand("segment", "Segment images (Pascal VOC or selfie)");
  addImageAndModelOptions(*command, args->images, args->model);
  command
      ->add_option("--classes", args->classes,
                   "Classes whose probability maps to compute, e.g. PERSON,CAT")
      ->delimiter(',')
      ->allow_extra_args(false);
  command->add_flag("--resize", args->resize, "Maps at the original image size");
  command->add_option(
      "--overlay", args->overlay,
      "Write the photo with a colour per class and a legend (PNG); a directory when an "
      "image argument is a directory");
  command->add_option("--mask", args->mask,
                      "Write the class-index mask (palette PNG: pixel value = class index, "
                      "palette = the overlay's colours); a directory when an image argument is a "
                      "directory");
  command->add_flag("--json", args->json,
                    "One JSON object per line per image: {image, model, width, height, classes}");

  addRuntimeOptions(*command, args->runtime);
  addVideoOptions(*command, args->video, /*segment=*/true);

  return [args] {
    const std::optional<VideoInput> video = videoInputOf(args->images, args->video);
    if (video) {
      applyRuntimeArguments(args->runtime);
      applyVideoThreadDefault(args->runtime);
      ImageSegmentationModule segmenter;
      const ModelDescriptor model = loadModel(segmenter, args->model, kDefaultLabels);
      return runSegmentVideo(segmenter, model.name, *video, args->video, args->classes, args->json);
    }
    requireImages(args->images);
    const ImageArguments inputs = expandImageArguments(args->images);
    if (inputs.fromDirectory) {
      if (!args->overlay.empty()) prepareOutputDirectory("--overlay", args->overlay);
      if (!args->mask.empty()) prepareOutputDirectory("--mask", args->mask);
    }
    applyRuntimeArguments(args->runtime);
    ImageSegmentationModule segmenter;
    const ModelDescriptor model = loadModel(segmenter, args->model, kDefaultLabels);

    SegmentOptions options;
    options.classesOfInterest = args->classes;
    options.resize = args->resize;
    options.fastDecode = args->runtime.fastDecode;
    // The overlay draws smooth region edges from every class's probabilities.
    options.allClasses = !args->overlay.empty();
    int failures = 0;
    for (const std::string& directory : inputs.emptyDirectories) {
      reportImageError(
          directory,
          Error(ErrorCode::FileReadFailed,
                "the directory " + directory + " holds no image files (.jpg, .png, ...)"),
          args->json);
      ++failures;
    }
    const std::size_t count = inputs.images.size();
    auto report = [&](const std::string& image, const Segmentation& result) {
      const nlohmann::json classes = presentClasses(result);
      std::string overlayPath;
      if (!args->overlay.empty()) {
        const auto path = outputPathFor(args->overlay, image, count, inputs.fromDirectory);
        writeFile(path, renderOverlayPng(image, result));
        overlayPath = path.string();
      }
      std::string maskPath;
      if (!args->mask.empty()) {
        const auto path = outputPathFor(args->mask, image, count, inputs.fromDirectory);
        writeFile(path, encodeMaskPng(result));
        maskPath = path.string();
      }
      if (args->json) {
        nlohmann::json line{{"image", image},
                            {"model", model.name},
                            {"width", result.width},
                            {"height", result.height},
                            {"classes", classes}};
        if (!overlayPath.empty()) line["overlay"] = overlayPath;
        if (!maskPath.empty()) line["mask"] = maskPath;
        std::cout << line.dump() << "\n";
      } else {
        std::cout << image << " (" << result.imageWidth << "x" << result.imageHeight << "), map "
                  << result.width << "x" << result.height << "\n";
        for (const auto& entry : classes) {
          std::cout << "  " << std::fixed << std::setprecision(1) << std::setw(5)
                    << entry["share"].get<double>() * 100.0 << "%  "
                    << entry["label"].get<std::string>() << "\n";
        }
        if (!overlayPath.empty()) std::cout << "  overlay: " << overlayPath << "\n";
        if (!maskPath.empty()) std::cout << "  mask: " << maskPath << "\n";
      }
    };
    // Decoding of the next images overlaps the current inference.
    const std::vector<ImageSource> sources(inputs.images.begin(), inputs.images.end());
    segmenter.segmentEach(sources, options, [&](BatchItem<Segmentation>&& item) {
      const std::string& image = inputs.images[item.index];
      try {
        if (!item.ok()) throw *item.error;
        report(image, *item.result);
      } catch (const Error& error) {
        reportImageError(image, error, args->json);
        ++failures;
      }
    });
    return failures == 0 ? 0 : kExitFailure;
  };
}

}  // namespace etvision::cli
