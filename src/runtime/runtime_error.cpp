#include "runtime/runtime_error.h"

#include "etvision/error.h"

namespace etvision::detail {

namespace {

using RuntimeError = ::executorch::runtime::Error;

const char* hintFor(RuntimeError error) {
  switch (error) {
    case RuntimeError::InvalidProgram:
      return "the file is not a valid ExecuTorch program; re-export it with "
             "executorch 1.x (see python/)";
    case RuntimeError::OperatorMissing:
      return "the program uses an operator this runtime lacks; export it with "
             "the XNNPACK partitioner";
    case RuntimeError::MemoryAllocationFailed:
    case RuntimeError::DelegateMemoryAllocationFailed: return "out of memory";
    case RuntimeError::DelegateInvalidCompatibility:
      return "the program was exported for a different XNNPACK delegate version";
    case RuntimeError::NotFound: return "a required part of the program was not found";
    case RuntimeError::AccessFailed: return "the file could not be read";
    default: return "see the ExecuTorch log above for details";
  }
}

}  // namespace

void throwRuntimeError(RuntimeError error, const std::string& context) {
  const int code = static_cast<int>(error);
  throw etvision::Error(static_cast<ErrorCode>(code),
                        context + ": ExecuTorch error " + std::to_string(code) + " (" +
                            errorCodeName(static_cast<ErrorCode>(code)) + "): " + hintFor(error) +
                            ".");
}

const char* scalarTypeName(::executorch::aten::ScalarType type) noexcept {
  using ::executorch::aten::ScalarType;
  switch (type) {
    case ScalarType::Float: return "float32";
    case ScalarType::Double: return "float64";
    case ScalarType::Half: return "float16";
    case ScalarType::BFloat16: return "bfloat16";
    case ScalarType::Byte: return "uint8";
    case ScalarType::Char: return "int8";
    case ScalarType::Short: return "int16";
    case ScalarType::Int: return "int32";
    case ScalarType::Long: return "int64";
    case ScalarType::Bool: return "bool";
    default: return "non-float";
  }
}

}  // namespace etvision::detail
