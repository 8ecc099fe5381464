// Models shipped with etvision, named "bundled:<relative path>", e.g.
// "bundled:mobilenet_v2/mobilenet_v2_xnnpack_fp32.pte".
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

namespace etvision::detail {

/// The directories searched, in order: $ETVISION_MODEL_DIR (when set),
/// <prefix>/share/etvision/models next to the installed libetvision.so (found
/// from the library's location, so a moved install still works), the
/// configured install directory, then the source tree's models/ directory (so
/// that programs run from a build tree find them too).
std::vector<std::filesystem::path> bundledModelDirs();

/// The file for `name` (the part after "bundled:") in the first directory
/// that has it. Throws Error(InvalidModelSource) for an empty, absolute or
/// ".."-containing name, or when no directory has the file.
std::filesystem::path resolveBundledModel(std::string_view name);

}  // namespace etvision::detail
