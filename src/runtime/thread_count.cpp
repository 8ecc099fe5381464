// The public face of thread_pool_control.h (include/etvision/runtime.h).
#include "etvision/runtime.h"

#include "runtime/thread_pool_control.h"

namespace etvision {

void setThreadCount(unsigned count) {
  detail::resizeThreadPool(count);
}

unsigned threadCount() {
  return detail::currentThreadCount();
}

}  // namespace etvision
