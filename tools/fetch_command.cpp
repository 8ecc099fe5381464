// etvision fetch MODEL: download a model into the cache (or check a local
// one) and print its path.
#include <iostream>
#include <memory>

#include "commands.h"
#include "etvision/fetch.h"
#include "model_argument.h"
#include "progress_bar.h"

namespace etvision::cli {

CommandRunner addFetchCommand(CLI::App& app) {
  auto model = std::make_shared<ModelArgument>();
  CLI::App* command =
      app.add_subcommand("fetch", "Download a model into the cache and print its local path");
  command->add_option("model", model->model, "Built-in model name, URL, file:// URI or path")
      ->required();
  return [model] {
    const ModelDescriptor descriptor = resolveModel(*model);
    FetchOptions options;
    options.onProgress = makeProgressBar("Downloading " + descriptor.name);
    const auto path = fetchResource({descriptor.modelSource, descriptor.sha256}, options);
    std::cout << path.string() << "\n";
    return 0;
  };
}

}  // namespace etvision::cli
