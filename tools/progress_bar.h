// A download progress bar for terminals; silent when stderr is not one.
#pragma once

#include <string>

#include "etvision/fetch.h"

namespace etvision::cli {

/// A callback drawing "label [#####     ]  42%" on stderr when it is a
/// terminal, or doing nothing otherwise (so logs and pipes stay clean).
ProgressCallback makeProgressBar(std::string label);

}  // namespace etvision::cli
