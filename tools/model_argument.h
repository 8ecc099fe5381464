// Turning the CLI's --model argument into a ModelDescriptor.
#pragma once

#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "etvision/model.h"
#include "progress_bar.h"

namespace etvision::cli {

struct ModelArgument {
  /// A built-in name (see `etvision models`), a URL, a file:// URI or a path.
  std::string model;
  /// For custom models: "imagenet" or "none"; empty when not given.
  std::string normalize;
  /// For custom models: a text file with one label per line.
  std::string labelsFile;
};

/// Throws UsageError(InvalidModelSource) for an unknown model name (with
/// "did you mean" suggestions), etvision::Error(InvalidUserInput /
/// FileReadFailed) for bad custom-model options, each with a message saying
/// what to pass instead.
ModelDescriptor resolveModel(const ModelArgument& argument);

/// What a loaded model says about its preprocessing (the task modules'
/// info()).
struct LoadedModel {
  bool metadataFromModel = false;
  std::optional<Normalization> normalization;
};

/// Once per command, after the load: for a custom model that carries no
/// etvision metadata and was given no --normalize, a note on `err` that its
/// input is [0, 1] RGB (the reference's behaviour) and which labels it gets.
/// Throws UsageError when --normalize none contradicts a model's own
/// normalisation.
void explainPreprocessing(const ModelArgument& argument, const LoadedModel& loaded,
                          std::string_view defaultLabels, std::ostream& err);

/// Resolves `argument`, loads it into `module` (ClassificationModule or
/// ImageSegmentationModule; a download progress bar on a terminal) and
/// notes a foreign model's preprocessing on stderr (explainPreprocessing;
/// `defaultLabels` names the task's label set). Returns the descriptor.
template <typename Module>
ModelDescriptor loadModel(Module& module, const ModelArgument& argument,
                          std::string_view defaultLabels) {
  ModelDescriptor model = resolveModel(argument);
  module.load(model, makeProgressBar("Downloading " + model.name));
  const auto info = module.info();
  explainPreprocessing(argument, {info.metadataFromModel, info.normalization}, defaultLabels,
                       std::cerr);
  return model;
}

/// Throws UsageError when no image (or video) was given: the IMAGE...
/// positional is optional only so that --camera can stand alone.
void requireImages(const std::vector<std::string>& images);

/// Registers the options every inference command shares: the IMAGE...
/// positionals, --model, and --normalize / --labels for custom models.
void addImageAndModelOptions(CLI::App& command, std::vector<std::string>& images,
                             ModelArgument& model);

}  // namespace etvision::cli
