#pragma once

#include "etvision/export.h"

#define ETVISION_VERSION_STRING "0.1.0"

namespace etvision {

/// The library's version, "MAJOR.MINOR.PATCH".
ETVISION_API const char* version() noexcept;

}  // namespace etvision
