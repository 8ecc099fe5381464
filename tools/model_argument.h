// Turning the CLI's --model argument into a ModelDescriptor.
#pragma once

#include <string>

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

/// Throws etvision::Error(InvalidModelSource / InvalidUserInput /
/// FileReadFailed) with a message saying what to pass instead.
ModelDescriptor resolveModel(const ModelArgument& argument);

}  // namespace etvision::cli
