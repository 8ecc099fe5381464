#include "runtime_arguments.h"

#include <cstdlib>
#include <thread>

#include "etvision/runtime.h"

namespace etvision::cli {

void addRuntimeOptions(CLI::App& command, RuntimeArguments& arguments) {
  command
      .add_option("--threads", arguments.threads,
                  "Inference threads for the whole process (default: ETVISION_NUM_THREADS, "
                  "else one per performant core)")
      ->check(CLI::Range(1, 256));
  command.add_flag("--fast-decode", arguments.fastDecode,
                   "Decode JPEGs much larger than the model input at 1/2, 1/4 or 1/8 scale: "
                   "faster on large photos, slightly different probabilities");
}

void applyRuntimeArguments(const RuntimeArguments& arguments) {
  if (arguments.threads != 0) setThreadCount(arguments.threads);
}

void applyVideoThreadDefault(const RuntimeArguments& arguments) {
  if (arguments.threads != 0 || std::getenv("ETVISION_NUM_THREADS") != nullptr) return;
  const unsigned hardware = std::thread::hardware_concurrency();
  setThreadCount(hardware > 3 ? hardware - 2 : 1);
}

}  // namespace etvision::cli
