// What the CLI prints for a command line it cannot parse: CLI11's message,
// or for an unknown command or option the closest names ("did you mean").
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace etvision::cli {

/// The lines (newline-terminated) to print on stderr for `error`, thrown by
/// `app.parse()`: for a mistyped command "etvision: unknown command
/// 'clasify'. Did you mean 'classify'?", for a mistyped option "etvision
/// segment: unknown option '--overlya'. Did you mean '--overlay'?", else
/// CLI11's message; then where to find the usage ("run 'etvision segment
/// --help'").
std::string describeUsageError(const CLI::App& app, const CLI::ParseError& error);

}  // namespace etvision::cli
