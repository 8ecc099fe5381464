// Process-wide runtime settings and versions: etvision/runtime.h and
// etvision/version.h, as the Python package has them.
import { native } from './native';

/**
 * Sets the number of inference threads for the whole process (every model
 * runs on ExecuTorch's one shared pool); 0 restores the default, one thread
 * per performant core. Resolves once running inferences and loads have
 * finished and the new pool is in place (the wait happens off the JS
 * thread); models already loaded adapt on their next forward. Results do not
 * depend on the thread count. Rejects with InvalidUserInput (117) for
 * anything but a whole number from 0 to 256.
 *
 * @example
 *   await setThreadCount(1); // e.g. one model per core across worker processes
 */
export function setThreadCount(count: number): Promise<void> {
  return native.setThreadCount(count);
}

/**
 * The number of inference threads now: setThreadCount()'s value, else
 * ETVISION_NUM_THREADS (1 to 256) when it is set, else ExecuTorch's default.
 * Throws InvalidUserInput (117) when ETVISION_NUM_THREADS is malformed.
 */
export function threadCount(): number {
  return native.threadCount();
}

/** etvision's version, 'MAJOR.MINOR.PATCH' (the package's version). */
export function version(): string {
  return native.version();
}

/** The ExecuTorch runtime etvision was built against, e.g. '1.5.1+cpu'. */
export function executorchVersion(): string {
  return native.executorchVersion();
}

/**
 * The CPU's widest x86 vector extensions, which decide XNNPACK's kernels:
 * 'AVX-512 with VNNI', 'AVX-512', 'AVX2 with VNNI', 'AVX2', 'SSE4.1',
 * 'baseline' or 'not x86'. Record it beside any speed figure; without VNNI
 * the int8 models are not reliably faster than fp32 (the package README).
 */
export function vectorIsa(): string {
  return native.vectorIsa();
}
