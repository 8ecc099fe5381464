// The etvision CLI's subcommands. Each registers itself on the CLI11 app and
// returns the process exit code when run.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "etvision/error.h"

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

}  // namespace etvision::cli
