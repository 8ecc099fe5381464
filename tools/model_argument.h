// Turning the CLI's --model argument into a ModelDescriptor.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "etvision/model.h"

namespace etvision::cli {

struct ModelArgument {
  /// A built-in name (see `etvision models`), a URL, a file:// URI or a path.
  std::string model;
  /// For custom models: "imagenet" or "none".
  std::string normalize = "none";
  /// For custom models: a text file with one label per line.
  std::string labelsFile;
};

/// Throws UsageError(InvalidModelSource) for an unknown model name (with
/// "did you mean" suggestions), etvision::Error(InvalidUserInput /
/// FileReadFailed) for bad custom-model options, each with a message saying
/// what to pass instead.
ModelDescriptor resolveModel(const ModelArgument& argument);

/// Registers the options every inference command shares: the IMAGE...
/// positionals, --model, and --normalize / --labels for custom models.
void addImageAndModelOptions(CLI::App& command, std::vector<std::string>& images,
                             ModelArgument& model);

}  // namespace etvision::cli
