// ExecuTorch's log output, filtered.
//
// The runtime logs informational lines (CPU detection, ...) and its own view
// of every error to stderr. etvision reports errors itself, with codes, so by
// default only fatal runtime messages reach stderr; ETVISION_VERBOSE=1 in the
// environment shows everything (useful when debugging a model).
#pragma once

namespace etvision::detail {

/// Installs the filter once per process; later calls do nothing.
void installRuntimeLogFilter() noexcept;

}  // namespace etvision::detail
