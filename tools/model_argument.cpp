#include "model_argument.h"

#include <fstream>
#include <ostream>

#include "commands.h"
#include "etvision/error.h"
#include "etvision/models.h"

namespace etvision::cli {

namespace {

std::vector<std::string> readLabels(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::FileReadFailed, "Cannot read labels file '" + path + "'.");
  std::vector<std::string> labels;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    labels.push_back(line);
  }
  return labels;
}

}  // namespace

ModelDescriptor resolveModel(const ModelArgument& argument) {
  if (const ModelDescriptor* builtin = findModel(argument.model)) {
    if (!argument.labelsFile.empty() || !argument.normalize.empty()) {
      throw Error(ErrorCode::InvalidUserInput,
                  "--labels and --normalize apply to custom models only; '" + argument.model +
                      "' is built in and already knows its labels and normalisation.");
    }
    return *builtin;
  }
  ModelDescriptor custom;
  try {
    custom = modelFromString(argument.model);
  } catch (const Error& error) {
    // Neither a built-in name nor a model source: a mistyped name (the
    // message suggests the closest ones), so bad usage.
    throw UsageError(error.code(), error.what());
  }
  if (argument.normalize == "imagenet") {
    custom.normalization = kImageNetNormalization;
  } else if (!argument.normalize.empty() && argument.normalize != "none") {
    throw Error(ErrorCode::InvalidUserInput,
                "--normalize must be 'imagenet' or 'none', not '" + argument.normalize + "'.");
  }
  if (!argument.labelsFile.empty()) custom.labels = readLabels(argument.labelsFile);
  return custom;
}

void explainPreprocessing(const ModelArgument& argument, const LoadedModel& loaded,
                          std::string_view defaultLabels, std::ostream& err) {
  if (findModel(argument.model) != nullptr) return;
  if (loaded.metadataFromModel) {
    // "none" cannot travel in a ModelDescriptor (unset means "the model's"),
    // so the contradiction the library checks for "imagenet" is checked here.
    if (argument.normalize == "none" && loaded.normalization) {
      throw UsageError(ErrorCode::InvalidUserInput,
                       "--normalize none contradicts model '" + argument.model +
                           "', which carries its own normalisation; drop --normalize.");
    }
    return;
  }
  if (!argument.normalize.empty()) return;
  err << "etvision: note: model '" << argument.model
      << "' carries no etvision metadata, so its input is [0, 1] RGB without normalisation "
         "(the reference's behaviour)"
      << (argument.labelsFile.empty() ? " and its labels are " + std::string(defaultLabels) : "")
      << "; pass --normalize imagenet if it expects ImageNet statistics"
      << (argument.labelsFile.empty() ? ", --labels FILE for other labels" : "") << ".\n";
}

void requireImages(const std::vector<std::string>& images) {
  if (images.empty()) {
    throw UsageError(ErrorCode::InvalidUserInput,
                     "No image given: pass images, directories, one video, or --camera N.");
  }
}

void addImageAndModelOptions(CLI::App& command, std::vector<std::string>& images,
                             ModelArgument& model) {
  command.add_option(
      "images", images,
      "Images: paths, directories (their images, by name), file:// or http(s):// URLs, "
      "data URIs or base64; or one video (file or stream URL)");
  command
      .add_option("-m,--model", model.model,
                  "Built-in model name (see 'etvision models'), URL, file:// URI or .pte path")
      ->capture_default_str();
  command
      .add_option("--normalize", model.normalize,
                  "Custom models without etvision metadata: input normalisation, 'imagenet' or "
                  "'none' (the default: [0, 1] input; models exported by etvision carry theirs)")
      ->check(CLI::IsMember({"imagenet", "none"}));
  command.add_option("--labels", model.labelsFile,
                     "Custom models: labels file, one per line in output order");
}

}  // namespace etvision::cli
