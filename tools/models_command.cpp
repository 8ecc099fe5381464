// etvision models: list the built-in models.
#include <iomanip>
#include <iostream>

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
        std::cout << "  " << std::left << std::setw(42) << model->name << model->description << "\n"
                  << "  " << std::setw(42) << "" << model->modelSource << "\n";
      }
    }
    return 0;
  };
}

}  // namespace etvision::cli
