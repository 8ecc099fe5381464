// Translating ExecuTorch runtime errors into etvision::Error.
#pragma once

#include <executorch/runtime/core/error.h>
#include <executorch/runtime/core/exec_aten/exec_aten.h>

#include <string>

namespace etvision::detail {

/// Throws etvision::Error whose code is the runtime error's number (as the
/// reference forwards it) and whose message is `context`, the error's name
/// and a hint.
[[noreturn]] void throwRuntimeError(::executorch::runtime::Error error, const std::string& context);

/// "float32", "int64", ... for messages.
const char* scalarTypeName(::executorch::aten::ScalarType type) noexcept;

}  // namespace etvision::detail
