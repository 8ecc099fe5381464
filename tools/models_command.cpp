// etvision models: list the built-in models, and whether each is bundled,
// cached or not downloaded yet.
#include <iomanip>
#include <iostream>
#include <system_error>

#include "commands.h"
#include "etvision/models.h"

namespace etvision::cli {

CommandRunner addModelsCommand(CLI::App& app) {
  app.add_subcommand("models", "List the built-in models");
  return [] {
    for (const auto& [task, models] : {std::pair{"classification", &classificationModels()},
                                       std::pair{"segmentation", &segmentationModels()}}) {
      std::cout << task << ":\n";
      for (const ModelDescriptor* model : *models) {
        std::string where = "bundled";
        if (const auto file = cachedFileOf(*model); !file.empty()) {
          std::error_code ec;
          where = std::filesystem::is_regular_file(file, ec) ? "cached" : "not downloaded";
        }
        std::cout << "  " << std::left << std::setw(42) << model->name << model->description << "\n"
                  << "  " << std::setw(42) << ""
                  << "[" << where << "] " << model->modelSource << "\n";
      }
    }
    return 0;
  };
}

}  // namespace etvision::cli
