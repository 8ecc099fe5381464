// etvision classify IMAGE... [--model NAME|URL|PATH] [--top N] [--json]
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "etvision/classification.h"
#include "etvision/error.h"
#include "model_argument.h"
#include "progress_bar.h"

namespace etvision::cli {

namespace {

struct ClassifyArguments {
  std::vector<std::string> images;
  ModelArgument model{.model = "efficientnet_v2_s"};
  std::size_t top = 5;
  bool json = false;
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

void printError(const std::string& image, const Error& error, bool json) {
  std::cerr << "etvision: " << image << ": error " << static_cast<int>(error.code()) << " ("
            << errorCodeName(error.code()) << "): " << error.what() << "\n";
  if (json) {
    const nlohmann::json line{{"image", image},
                              {"error",
                               {{"code", static_cast<int>(error.code())},
                                {"name", errorCodeName(error.code())},
                                {"message", error.what()}}}};
    std::cout << line.dump() << "\n";
  }
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

  return [args] {
    const ModelDescriptor model = resolveModel(args->model);
    ClassificationModule classifier;
    classifier.load(model, makeProgressBar("Downloading " + model.name));

    ClassifyOptions options;
    options.maxResults = args->top;
    int failures = 0;
    for (const std::string& image : args->images) {
      try {
        const Classification result = classifier.classify(image, options);
        if (args->json) {
          printJson(image, model.name, result);
        } else {
          printText(image, result);
        }
      } catch (const Error& error) {
        printError(image, error, args->json);
        ++failures;
      }
    }
    return failures == 0 ? 0 : kExitFailure;
  };
}

}  // namespace etvision::cli
