// How the CLI reports failures: one line on stderr per failure, and with
// --json also one JSON object per failed image on stdout, in line with the
// results, so that a consumer of the JSON stream sees every image.
#pragma once

#include <string>

#include "etvision/error.h"

namespace etvision::cli {

/// "etvision: IMAGE: error CODE (Name): message" on stderr; with `json`,
/// also {"image": IMAGE, "error": {"code", "name", "message"}} on stdout.
void reportImageError(const std::string& image, const Error& error, bool json);

/// "etvision: error CODE (Name): message" on stderr: a failure of the whole
/// command (a model that cannot be loaded, an unwritable cache, ...).
void reportError(const Error& error);

}  // namespace etvision::cli
