/** react-native-executorch's error codes (etvision::ErrorCode). */
export enum ETError {
  // ExecuTorch runtime errors (executorch::runtime::Error), forwarded.
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
  DownloadFailed = 180,
  DownloadInProgress = 181,
}

/**
 * Every promise of this package rejects with an Error carrying `code`, the
 * reference's numeric error code (ExecuTorch runtime errors keep their own
 * numbers, 1..50), and `codeName` ("ModuleNotLoaded", ...).
 */
export interface EtvisionError extends Error {
  code: number;
  codeName: string;
}

export function makeError(code: ETError, message: string): EtvisionError {
  const error = new Error(message) as EtvisionError;
  error.code = code;
  error.codeName = ETError[code] ?? 'Unknown';
  return error;
}
