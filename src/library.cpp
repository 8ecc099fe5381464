// libetvision.so is etvision_core linked whole; this translation unit only
// gives the shared library target a source of its own. What the library
// exports is what the public headers mark ETVISION_API.
#include "etvision/version.h"
