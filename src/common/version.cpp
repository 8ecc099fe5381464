#include "etvision/version.h"

namespace etvision {

const char* version() noexcept {
  return ETVISION_VERSION_STRING;
}

}  // namespace etvision
