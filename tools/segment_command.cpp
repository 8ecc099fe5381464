// etvision segment IMAGE... [--model ...] [--classes PERSON,CAT] [--resize]
//                  [--overlay out.png] [--mask out.png] [--json]
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "etvision/error.h"
#include "etvision/overlay.h"
#include "etvision/segmentation.h"
#include "model_argument.h"
#include "progress_bar.h"

namespace etvision::cli {

namespace {

struct SegmentArguments {
  std::vector<std::string> images;
  ModelArgument model{.model = "deeplab_v3_resnet50"};
  std::vector<std::string> classes;
  bool resize = false;
  std::string overlay;
  std::string mask;
  bool json = false;
};

/// With several images, out.png becomes out_<image stem>.png.
std::filesystem::path outputPathFor(const std::string& pattern, const std::string& image,
                                    std::size_t imageCount) {
  std::filesystem::path path(pattern);
  if (imageCount <= 1) return path;
  const std::string stem = std::filesystem::path(image).stem().string();
  return path.parent_path() / (path.stem().string() + "_" + stem + path.extension().string());
}

void writeFile(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) {
    throw Error(ErrorCode::FileWriteFailed, "Cannot write '" + path.string() + "'.");
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
  command->add_option("--overlay", args->overlay,
                      "Write the photo with a colour per class and a legend (PNG)");
  command->add_option("--mask", args->mask,
                      "Write the class-index mask (8-bit greyscale PNG, value = class index)");
  command->add_flag("--json", args->json,
                    "One JSON object per line per image: {image, model, width, height, classes}");

  return [args] {
    ModelDescriptor model = resolveModel(args->model);
    ImageSegmentationModule segmenter;
    segmenter.load(model, makeProgressBar("Downloading " + model.name));

    SegmentOptions options;
    options.classesOfInterest = args->classes;
    options.resize = args->resize;
    // The overlay draws smooth region edges from every class's probabilities.
    options.allClasses = !args->overlay.empty();
    int failures = 0;
    for (const std::string& image : args->images) {
      try {
        const Segmentation result = segmenter.segment(image, options);
        const nlohmann::json classes = presentClasses(result);
        std::string overlayPath;
        if (!args->overlay.empty()) {
          const auto path = outputPathFor(args->overlay, image, args->images.size());
          writeFile(path, renderOverlayPng(image, result));
          overlayPath = path.string();
        }
        if (!args->mask.empty()) {
          writeFile(outputPathFor(args->mask, image, args->images.size()), encodeMaskPng(result));
        }
        if (args->json) {
          nlohmann::json line{{"image", image},
                              {"model", model.name},
                              {"width", result.width},
                              {"height", result.height},
                              {"classes", classes}};
          if (!overlayPath.empty()) line["overlay"] = overlayPath;
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
        }
      } catch (const Error& error) {
        std::cerr << "etvision: " << image << ": error " << static_cast<int>(error.code()) << " ("
                  << errorCodeName(error.code()) << "): " << error.what() << "\n";
        ++failures;
      }
    }
    return failures == 0 ? 0 : kExitFailure;
  };
}

}  // namespace etvision::cli
