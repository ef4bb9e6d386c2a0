// How coded errors cross the JSON-RPC wire (both directions). The worker turns any thrown error into
// a ResponseError whose `data` is CodedErrorData; the client turns it back into a RuntimeError.
import { ResponseError } from 'vscode-jsonrpc';
import type { CodedErrorData, ErrorCode } from '../../protocol/worker';
import { RuntimeError } from '../core/runtimeError';

/** JSON-RPC error code for every coded error (the server-defined range). */
export const CODED_ERROR = -32000;

function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && /^E_[A-Z0-9_]+$/.test(x);
}

/** CodedErrorData for anything thrown: addon/policy errors keep their code; bugs become E_INTERNAL. */
export function codedData(err: unknown): CodedErrorData {
  if (err instanceof RuntimeError) return { ...err.data };
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown; log?: unknown; cudaError?: unknown; stack?: unknown };
    if (isErrorCode(e.code)) {
      const data: CodedErrorData = { code: e.code, message: String(e.message ?? e.code) };
      if (typeof e.log === 'string') data.log = e.log;
      if (typeof e.cudaError === 'string') data.cudaError = e.cudaError;
      return data;
    }
    return {
      code: 'E_INTERNAL',
      message: `Unexpected error in the runtime worker: ${String(e.message ?? err)}`,
      ...(typeof e.stack === 'string' ? { log: e.stack } : {}),
    };
  }
  return { code: 'E_INTERNAL', message: `Unexpected error in the runtime worker: ${String(err)}` };
}

export function toResponseError(err: unknown): ResponseError<CodedErrorData> {
  const data = codedData(err);
  return new ResponseError(CODED_ERROR, data.message, data);
}

/** The client side: a rejected sendRequest becomes a RuntimeError. */
export function fromWireError(err: unknown): RuntimeError {
  if (err instanceof RuntimeError) return err;
  if (err instanceof ResponseError) {
    const data = err.data as Partial<CodedErrorData> | undefined;
    if (data && isErrorCode(data.code) && typeof data.message === 'string')
      return new RuntimeError(data as CodedErrorData);
    return new RuntimeError({
      code: 'E_INTERNAL',
      message: `Runtime worker protocol error ${err.code}: ${err.message}`,
    });
  }
  return new RuntimeError(codedData(err));
}
