#include "etvision/version.h"

namespace etvision {

const char* version() noexcept {
  return ETVISION_VERSION;  // project(VERSION), passed by CMakeLists.txt
}

}  // namespace etvision
