// etvision classify IMAGE|DIR... [--model NAME|URL|PATH] [--top N] [--json]
//                   [--threads N] [--fast-decode]
// etvision classify VIDEO|--camera N [--every N] [--frames N] [--json]
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "error_output.h"
#include "etvision/classification.h"
#include "etvision/error.h"
#include "image_arguments.h"
#include "model_argument.h"
#include "progress_bar.h"
#include "runtime_arguments.h"
#include "video_arguments.h"

namespace etvision::cli {

namespace {

struct ClassifyArguments {
  std::vector<std::string> images;
  ModelArgument model{.model = "efficientnet_v2_s"};
  std::size_t top = 5;
  bool json = false;
  RuntimeArguments runtime;
  VideoArguments video;
};

void printText(const std::string& image, const Classification& result) {
  std::cout << image << " (" << result.imageWidth << "x" << result.imageHeight << ")\n";
  for (const Category& category : result.categories) {
    std::cout << "  " << std::fixed << std::setprecision(4) << category.probability << "  "
              << category.label << " [" << category.index << "]\n";
  }
}

void printJson(const std::string& image, const std::string& model, const Classification& result) {
  nlohmann::json top = nlohmann::json::array();
  for (const Category& category : result.categories) {
    top.push_back({{"index", category.index},
                   {"label", category.label},
                   {"probability", category.probability}});
  }
  const nlohmann::json line{{"image", image}, {"model", model}, {"top", std::move(top)}};
  std::cout << line.dump() << "\n";
}

}  // namespace

CommandRunner addClassifyCommand(CLI::App& app) {
  auto args = std::make_shared<ClassifyArguments>();
  CLI::App* command = app.add_subcommand("classify", "Classify images (ImageNet labels)");
  addImageAndModelOptions(*command, args->images, args->model);
  command->add_option("-k,--top", args->top, "How many categories to print per image")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  command->add_flag("--json", args->json,
                    "One JSON object per line per image: {image, model, top: [{index, label, "
                    "probability}]}");
  addRuntimeOptions(*command, args->runtime);
  addVideoOptions(*command, args->video, /*segment=*/false);

  return [args] {
    const std::optional<VideoInput> video = videoInputOf(args->images, args->video);
    if (!video) requireImages(args->images);
    const ImageArguments inputs = video ? ImageArguments{} : expandImageArguments(args->images);
    applyRuntimeArguments(args->runtime);
    if (video) applyVideoThreadDefault(args->runtime);
    ClassificationModule classifier;
    const ModelDescriptor model = loadModel(classifier, args->model, "ImageNet's 1000");
    if (video) {
      return runClassifyVideo(classifier, model.name, *video, args->video, args->top, args->json);
    }

    ClassifyOptions options;
    options.maxResults = args->top;
    options.fastDecode = args->runtime.fastDecode;
    int failures = 0;
    for (const std::string& directory : inputs.emptyDirectories) {
      reportImageError(
          directory,
          Error(ErrorCode::FileReadFailed,
                "the directory " + directory + " holds no image files (.jpg, .png, ...)"),
          args->json);
      ++failures;
    }
    // Decoding of the next images overlaps the current inference.
    const std::vector<ImageSource> sources(inputs.images.begin(), inputs.images.end());
    classifier.classifyEach(sources, options, [&](BatchItem<Classification>&& item) {
      const std::string& image = inputs.images[item.index];
      if (item.ok()) {
        if (args->json) {
          printJson(image, model.name, *item.result);
        } else {
          printText(image, *item.result);
        }
      } else {
        reportImageError(image, *item.error, args->json);
        ++failures;
      }
    });
    return failures == 0 ? 0 : kExitFailure;
  };
}

}  // namespace etvision::cli
