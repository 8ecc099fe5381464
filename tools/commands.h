// The etvision CLI's subcommands. Each registers itself on the CLI11 app and
// returns the process exit code when run.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace etvision::cli {

/// Exit codes: 0 success, 1 a runtime failure (bad image, failed download,
/// ...), 2 bad usage.
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

using CommandRunner = std::function<int()>;

CommandRunner addClassifyCommand(CLI::App& app);
CommandRunner addSegmentCommand(CLI::App& app);
CommandRunner addFetchCommand(CLI::App& app);
CommandRunner addModelsCommand(CLI::App& app);

}  // namespace etvision::cli
