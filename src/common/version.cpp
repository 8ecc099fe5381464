#include "etvision/version.h"

namespace etvision {

const char* version() noexcept {
  return ETVISION_VERSION;  // project(VERSION), passed by CMakeLists.txt
}

const char* executorchVersion() noexcept {
  return ETVISION_EXECUTORCH_VERSION;  // the ExecuTorch CMake package's version
}

}  // namespace etvision
