#include "error_output.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace etvision::cli {

namespace {

std::string codeText(const Error& error) {
  return "error " + std::to_string(static_cast<int>(error.code())) + " (" +
         errorCodeName(error.code()) + "): " + error.what();
}

}  // namespace

void reportImageError(const std::string& image, const Error& error, bool json) {
  std::cerr << "etvision: " << image << ": " << codeText(error) << "\n";
  if (json) {
    const nlohmann::json line{{"image", image},
                              {"error",
                               {{"code", static_cast<int>(error.code())},
                                {"name", errorCodeName(error.code())},
                                {"message", error.what()}}}};
    std::cout << line.dump() << "\n";
  }
}

void reportError(const Error& error) {
  std::cerr << "etvision: " << codeText(error) << "\n";
}

}  // namespace etvision::cli
