// etvision cache [clear [MODEL...]]: what the model cache holds, and
// removing it. Also the cache facts other commands print (--help, models).
#include <algorithm>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include "commands.h"
#include "etvision/fetch.h"
#include "etvision/models.h"
#include "model_argument.h"

namespace etvision::cli {

namespace {

std::string megabytes(std::uintmax_t bytes) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / 1e6 << " MB";
  return text.str();
}

/// The built-in model whose download is this cache file, if any.
const ModelDescriptor* builtinFor(const std::filesystem::path& file) {
  for (const auto* list : {&classificationModels(), &segmentationModels()}) {
    for (const ModelDescriptor* model : *list) {
      if (cachedFileOf(*model).filename() == file.filename()) return model;
    }
  }
  return nullptr;
}

struct CacheArguments {
  bool clear = false;
  std::vector<std::string> models;
};

}  // namespace

std::filesystem::path cachedFileOf(const ModelDescriptor& model) {
  const std::string& source = model.modelSource;
  if (!source.starts_with("http://") && !source.starts_with("https://")) return {};
  try {
    return defaultCacheDir() / cacheFileName(source);
  } catch (const Error&) {
    return {};
  }
}

std::string environmentHelp() {
  std::string cache;
  try {
    cache = defaultCacheDir().string();
  } catch (const Error& error) {
    cache = std::string("(none: ") + error.what() + ")";
  }
  return "Downloaded models are cached in " + cache +
         "\n('etvision cache' lists it, 'etvision cache clear' empties it).\n"
         "Environment:\n"
         "  ETVISION_CACHE_DIR    the model cache (else $XDG_CACHE_HOME/etvision, else "
         "~/.cache/etvision)\n"
         "  ETVISION_NUM_THREADS  inference threads, 1 to 256 (else one per performant core)\n"
         "  ETVISION_MODEL_DIR    an extra directory searched first for bundled models\n"
         "  ETVISION_VERBOSE=1    show the ExecuTorch runtime's log";
}

CommandRunner addCacheCommand(CLI::App& app) {
  auto args = std::make_shared<CacheArguments>();
  CLI::App* command = app.add_subcommand("cache", "List the downloaded models, or remove them");
  CLI::App* clear = command->add_subcommand(
      "clear", "Remove downloaded models: the named built-in models, or everything");
  clear->add_option("models", args->models, "Built-in model names (default: every file)");
  return [args, clear] {
    // Named models are checked first: a wrong name is bad usage even when
    // the cache is empty.
    std::vector<std::filesystem::path> named;
    for (const std::string& name : args->models) {
      ModelArgument argument;
      argument.model = name;
      const auto file = cachedFileOf(resolveModel(argument));
      if (file.empty()) {
        throw UsageError(ErrorCode::InvalidUserInput,
                         "'" + name + "' is not downloaded into the cache (bundled or local).");
      }
      named.push_back(file);
    }
    const std::filesystem::path dir = defaultCacheDir();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      std::cout << dir.string() << ": empty (no model downloaded yet)\n";
      return 0;
    }
    std::vector<std::filesystem::path> files;
    if (!named.empty()) {
      for (const auto& file : named) {
        if (std::filesystem::exists(file, ec)) files.push_back(file);
      }
    } else {
      for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.is_regular_file(ec)) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
    }
    std::uintmax_t total = 0;
    for (const auto& file : files) {
      const std::uintmax_t size = std::filesystem::file_size(file, ec);
      total += ec ? 0 : size;
      const ModelDescriptor* model = builtinFor(file);
      if (*clear) {
        if (!std::filesystem::remove(file, ec) || ec) {
          throw Error(ErrorCode::FileWriteFailed,
                      "Cannot remove '" + file.string() + "': " + ec.message() + ".");
        }
        std::cout << "removed " << file.filename().string() << "\n";
      } else {
        std::cout << std::left << std::setw(12) << megabytes(size) << " "
                  << (model ? model->name : std::string("-")) << "  " << file.filename().string()
                  << "\n";
      }
    }
    std::cout << dir.string() << ": " << files.size() << (*clear ? " files removed, " : " files, ")
              << megabytes(total) << (*clear ? " freed" : "") << "\n";
    return 0;
  };
}

}  // namespace etvision::cli
