#include "etvision/error.h"

namespace etvision {

const char* errorCodeName(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::Internal: return "Internal";
    case ErrorCode::InvalidState: return "InvalidState";
    case ErrorCode::NotSupported: return "NotSupported";
    case ErrorCode::NotImplemented: return "NotImplemented";
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::InvalidType: return "InvalidType";
    case ErrorCode::OperatorMissing: return "OperatorMissing";
    case ErrorCode::NotFound: return "NotFound";
    case ErrorCode::MemoryAllocationFailed: return "MemoryAllocationFailed";
    case ErrorCode::AccessFailed: return "AccessFailed";
    case ErrorCode::InvalidProgram: return "InvalidProgram";
    case ErrorCode::InvalidExternalData: return "InvalidExternalData";
    case ErrorCode::OutOfResources: return "OutOfResources";
    case ErrorCode::DelegateInvalidCompatibility: return "DelegateInvalidCompatibility";
    case ErrorCode::DelegateMemoryAllocationFailed: return "DelegateMemoryAllocationFailed";
    case ErrorCode::DelegateInvalidHandle: return "DelegateInvalidHandle";
    case ErrorCode::UnknownError: return "UnknownError";
    case ErrorCode::ModuleNotLoaded: return "ModuleNotLoaded";
    case ErrorCode::FileWriteFailed: return "FileWriteFailed";
    case ErrorCode::ModelGenerating: return "ModelGenerating";
    case ErrorCode::InvalidConfig: return "InvalidConfig";
    case ErrorCode::FileReadFailed: return "FileReadFailed";
    case ErrorCode::InvalidModelOutput: return "InvalidModelOutput";
    case ErrorCode::WrongDimensions: return "WrongDimensions";
    case ErrorCode::InvalidUserInput: return "InvalidUserInput";
    case ErrorCode::DownloadInterrupted: return "DownloadInterrupted";
    case ErrorCode::InvalidModelSource: return "InvalidModelSource";
    case ErrorCode::DownloadFailed: return "DownloadFailed";
    case ErrorCode::DownloadInProgress: return "DownloadInProgress";
  }
  return "Unknown";
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

}  // namespace etvision
