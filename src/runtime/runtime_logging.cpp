#include "runtime/runtime_logging.h"

#include <executorch/runtime/platform/platform.h>
#include <executorch/runtime/platform/runtime.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace etvision::detail {

namespace {

bool verboseRequested() {
  const char* value = std::getenv("ETVISION_VERBOSE");
  return value != nullptr && *value != '\0' && std::strcmp(value, "0") != 0;
}

void emitFiltered(et_timestamp_t /*timestamp*/, et_pal_log_level_t level, const char* filename,
                  const char* /*function*/, size_t line, const char* message, size_t length) {
  static const bool verbose = verboseRequested();
  if (!verbose && level != kFatal) return;
  std::fprintf(stderr, "executorch %c %s:%zu] %.*s\n", static_cast<char>(level), filename, line,
               static_cast<int>(length), message);
}

}  // namespace

void installRuntimeLogFilter() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    ::executorch::runtime::register_pal(
        ::executorch::runtime::PalImpl::create(&emitFiltered, __FILE__));
    ::executorch::runtime::runtime_init();
  });
}

}  // namespace etvision::detail
