// Coded error for accuracy data that does not follow extension/protocol/trace.ts.
export class AccuracyFormatError extends Error {
  readonly code = 'E_TRACE_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'AccuracyFormatError';
  }
}
