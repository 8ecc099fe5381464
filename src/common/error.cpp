#include "etvision/error.h"

#include <array>
#include <iterator>

namespace etvision {

namespace {

struct NamedCode {
  ErrorCode code;
  const char* name;
};

// Every ErrorCode, in declaration order: the one table that names them (the
// bindings read it through errorCodes() and errorCodeName()).
constexpr NamedCode kCodes[] = {
    {ErrorCode::Internal, "Internal"},
    {ErrorCode::InvalidState, "InvalidState"},
    {ErrorCode::NotSupported, "NotSupported"},
    {ErrorCode::NotImplemented, "NotImplemented"},
    {ErrorCode::InvalidArgument, "InvalidArgument"},
    {ErrorCode::InvalidType, "InvalidType"},
    {ErrorCode::OperatorMissing, "OperatorMissing"},
    {ErrorCode::NotFound, "NotFound"},
    {ErrorCode::MemoryAllocationFailed, "MemoryAllocationFailed"},
    {ErrorCode::AccessFailed, "AccessFailed"},
    {ErrorCode::InvalidProgram, "InvalidProgram"},
    {ErrorCode::InvalidExternalData, "InvalidExternalData"},
    {ErrorCode::OutOfResources, "OutOfResources"},
    {ErrorCode::DelegateInvalidCompatibility, "DelegateInvalidCompatibility"},
    {ErrorCode::DelegateMemoryAllocationFailed, "DelegateMemoryAllocationFailed"},
    {ErrorCode::DelegateInvalidHandle, "DelegateInvalidHandle"},
    {ErrorCode::UnknownError, "UnknownError"},
    {ErrorCode::ModuleNotLoaded, "ModuleNotLoaded"},
    {ErrorCode::FileWriteFailed, "FileWriteFailed"},
    {ErrorCode::ModelGenerating, "ModelGenerating"},
    {ErrorCode::InvalidConfig, "InvalidConfig"},
    {ErrorCode::FileReadFailed, "FileReadFailed"},
    {ErrorCode::InvalidModelOutput, "InvalidModelOutput"},
    {ErrorCode::WrongDimensions, "WrongDimensions"},
    {ErrorCode::InvalidUserInput, "InvalidUserInput"},
    {ErrorCode::DownloadInterrupted, "DownloadInterrupted"},
    {ErrorCode::InvalidModelSource, "InvalidModelSource"},
    {ErrorCode::DownloadFailed, "DownloadFailed"},
    {ErrorCode::DownloadInProgress, "DownloadInProgress"},
};

constexpr auto codesOnly() {
  std::array<ErrorCode, std::size(kCodes)> codes{};
  for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = kCodes[i].code;
  return codes;
}
constexpr auto kCodeList = codesOnly();

}  // namespace

const char* errorCodeName(ErrorCode code) noexcept {
  for (const NamedCode& entry : kCodes) {
    if (entry.code == code) return entry.name;
  }
  return "Unknown";
}

std::span<const ErrorCode> errorCodes() noexcept {
  return kCodeList;
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

}  // namespace etvision
