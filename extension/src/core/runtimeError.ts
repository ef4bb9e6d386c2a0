// The one error type the runtime's callers see: a coded error (protocol/domain.ts) as an Error.
// The worker throws it, the host's client rebuilds it from a JSON-RPC error, the CLI prints it.
import type { CodedErrorData } from '../../protocol/domain';

export class RuntimeError extends Error {
  constructor(readonly data: CodedErrorData) {
    super(data.message);
    this.name = 'RuntimeError';
  }
  get code() {
    return this.data.code;
  }
}
