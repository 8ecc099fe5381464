import { ETError } from './generated/tables';

export { ETError };

/**
 * Every promise of this package rejects with an Error carrying `code`, the
 * reference's numeric error code (ExecuTorch runtime errors keep their own
 * numbers, 1..50), and `codeName` ("ModuleNotLoaded", ...).
 */
export interface EtvisionError extends Error {
  code: number;
  codeName: string;
}

/** A coded error for the checks done on the JS side (argument types). */
export function makeError(code: ETError, message: string): EtvisionError {
  const error = new Error(message) as EtvisionError;
  error.code = code;
  error.codeName = ETError[code] ?? 'Unknown';
  return error;
}
