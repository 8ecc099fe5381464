#pragma once

#include "etvision/export.h"

namespace etvision {

/// The library's version, "MAJOR.MINOR.PATCH". Its one source is
/// project(VERSION) in the top-level CMakeLists.txt: the library gets it as a
/// compile definition, the Python package reads it from there, and a test
/// checks the Node package's package.json against it. CMake consumers check
/// it with find_package(etvision 0.1).
ETVISION_API const char* version() noexcept;

/// The ExecuTorch runtime etvision was built against, e.g. "1.5.1+cpu".
ETVISION_API const char* executorchVersion() noexcept;

}  // namespace etvision
