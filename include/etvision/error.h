// Errors raised by etvision.
//
// Every failure the library reports is an etvision::Error: a std::runtime_error
// carrying a numeric ErrorCode whose values match react-native-executorch's
// RnExecutorchErrorCode (and, for failures inside the ExecuTorch runtime, the
// runtime's own error numbers, as the reference forwards them). The message
// always says what went wrong and what to change.
//
// Bad input never aborts the process: it throws. Functions documented as
// noexcept never throw.
#pragma once

#include <span>
#include <stdexcept>
#include <string>

#include "etvision/export.h"

namespace etvision {

enum class ErrorCode : int {
  // Forwarded ExecuTorch runtime errors (executorch::runtime::Error values).
  Internal = 1,
  InvalidState = 2,
  NotSupported = 16,
  NotImplemented = 17,
  InvalidArgument = 18,
  InvalidType = 19,
  OperatorMissing = 20,
  NotFound = 32,
  MemoryAllocationFailed = 33,
  AccessFailed = 34,
  InvalidProgram = 35,
  InvalidExternalData = 36,
  OutOfResources = 37,
  DelegateInvalidCompatibility = 48,
  DelegateMemoryAllocationFailed = 49,
  DelegateInvalidHandle = 50,

  // react-native-executorch error codes.
  UnknownError = 101,
  ModuleNotLoaded = 102,
  FileWriteFailed = 103,
  ModelGenerating = 104,
  InvalidConfig = 112,
  FileReadFailed = 114,
  InvalidModelOutput = 115,
  WrongDimensions = 116,
  InvalidUserInput = 117,
  DownloadInterrupted = 118,
  InvalidModelSource = 120,

  // Resource fetcher errors.
  DownloadFailed = 180,
  DownloadInProgress = 181,
};

/// The enumerator's name ("ModuleNotLoaded"), or "Unknown" for other values.
ETVISION_API const char* errorCodeName(ErrorCode code) noexcept;

/// Every ErrorCode enumerator, in declaration order (for bindings and tools
/// that list or map the codes).
ETVISION_API std::span<const ErrorCode> errorCodes() noexcept;

class ETVISION_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);

  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace etvision
