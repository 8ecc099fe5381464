// The etvision CLI's subcommands. Each registers itself on the CLI11 app and
// returns the process exit code when run.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <string>

#include "etvision/error.h"
#include "etvision/model.h"

namespace etvision::cli {

/// Exit codes: 0 success, 1 a runtime failure (bad image, failed download,
/// ...), 2 bad usage.
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

/// A coded error that is the command line's fault (e.g. an unknown model
/// name): reported like any etvision::Error, but exits with kExitUsage.
struct UsageError : Error {
  using Error::Error;
};

using CommandRunner = std::function<int()>;

CommandRunner addClassifyCommand(CLI::App& app);
CommandRunner addSegmentCommand(CLI::App& app);
CommandRunner addFetchCommand(CLI::App& app);
CommandRunner addModelsCommand(CLI::App& app);
CommandRunner addCacheCommand(CLI::App& app);

/// --help's closing text: where models are cached and the environment
/// variables etvision reads.
std::string environmentHelp();

/// The cache file of a built-in model downloaded from a URL (it may not
/// exist); empty for bundled models and when no cache directory can be found.
std::filesystem::path cachedFileOf(const ModelDescriptor& model);

}  // namespace etvision::cli
