// etvision: classify and segment images (and fetch models) from the command
// line.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "commands.h"
#include "error_output.h"
#include "etvision/error.h"
#include "etvision/runtime.h"
#include "etvision/version.h"
#include "usage_errors.h"

int main(int argc, char** argv) {
  // FFmpeg logs its own diagnostics ("moov atom not found") on stderr, where
  // the CLI promises one line per failure; etvision's coded error already
  // says what is wrong. A value the user set is kept.
  setenv("OPENCV_FFMPEG_LOGLEVEL", "-8", /*overwrite=*/0);
  CLI::App app{"etvision: image classification and segmentation on the ExecuTorch runtime"};
  app.require_subcommand(1);
  app.set_version_flag("--version", [] {
    return std::string("etvision ") + etvision::version() + "\nExecuTorch " +
           etvision::executorchVersion() +
           " (XNNPACK backend)\nvector ISA: " + etvision::vectorIsa() +
           " (XNNPACK picks its kernels from it)";
  });
  app.footer(etvision::cli::environmentHelp());

  const auto classify = etvision::cli::addClassifyCommand(app);
  const auto segment = etvision::cli::addSegmentCommand(app);
  const auto fetch = etvision::cli::addFetchCommand(app);
  const auto models = etvision::cli::addModelsCommand(app);
  const auto cache = etvision::cli::addCacheCommand(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << etvision::cli::describeUsageError(app, e);
    return etvision::cli::kExitUsage;
  }

  try {
    if (app.got_subcommand("classify")) return classify();
    if (app.got_subcommand("segment")) return segment();
    if (app.got_subcommand("fetch")) return fetch();
    if (app.got_subcommand("models")) return models();
    if (app.got_subcommand("cache")) return cache();
  } catch (const etvision::Error& e) {
    etvision::cli::reportError(e);
    return dynamic_cast<const etvision::cli::UsageError*>(&e) != nullptr
               ? etvision::cli::kExitUsage
               : etvision::cli::kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << "etvision: error: " << e.what() << "\n";
    return etvision::cli::kExitFailure;
  }
  return etvision::cli::kExitUsage;
}
