// Coded errors raised by the bench pipeline, and the classification the shape loop needs.
import type { CodedErrorData, ErrorCode } from '../../../protocol/worker';
import { RuntimeError } from '../../core/runtimeError';
import { codedData } from '../workerErrors';

export function coded(code: ErrorCode, message: string, extra: Partial<CodedErrorData> = {}): RuntimeError {
  return new RuntimeError({ code, message, ...extra });
}

/** Thrown between phases when the caller asked to stop; what was measured before is kept. */
export function cancelledError(): RuntimeError {
  return coded('E_CANCELLED', 'The benchmark was cancelled; the shapes measured before it are kept.');
}

/**
 * Errors after which the CUDA context can no longer be trusted (a faulting or hung kernel): the run
 * must stop, and the process that owns the context must be restarted.
 */
export function losesContext(data: CodedErrorData): boolean {
  return data.code === 'E_KERNEL_FAULT' || data.code === 'E_TIMEOUT';
}

export { codedData };
