// etvision models: list the built-in models.
#include <iomanip>
#include <iostream>

#include "commands.h"
#include "etvision/models.h"

namespace etvision::cli {

CommandRunner addModelsCommand(CLI::App& app) {
  app.add_subcommand("models", "List the built-in models");
  return [] {
    for (const ModelDescriptor* model : classificationModels()) {
      std::cout << std::left << std::setw(30) << model->name << model->description << "\n"
                << std::setw(30) << "" << model->modelSource << "\n";
    }
    return 0;
  };
}

}  // namespace etvision::cli
