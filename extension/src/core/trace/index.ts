// The trace toolkit in one import: decode a raw buffer, summarise it, bin ring occupancy, export.
export { decodeTrace, type DecodeOptions } from './decode';
export {
  base64ToBytes,
  bytesToBase64,
  readRecords,
  readSlices,
  sliceBytes,
  traceBufferBytes,
  TraceFormatError,
} from './format';
export { ringOccupancy, type RingOccupancy } from './occupancy';
export { toChromeTrace, type ChromeTrace, type ChromeTraceEvent } from './perfetto';
export { summarizeTrace, traceVsMeasured } from './summary';

import { TRACE_FORMAT_VERSIONS_READ, type TraceCapture, type TraceData } from '../../../protocol/trace';
import { decodeTrace } from './decode';
import { base64ToBytes, TraceFormatError } from './format';

/** Checks a capture read from JSON (a file, a message) before decoding; coded error on bad input. */
export function checkTraceCapture(raw: unknown): TraceCapture {
  const c = raw as TraceCapture;
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null)
    throw new TraceFormatError(
      'a trace capture must be a JSON object (see TraceCapture in extension/protocol/trace.ts)',
    );
  if (!TRACE_FORMAT_VERSIONS_READ.includes(c.format))
    problems.push(`format must be one of ${TRACE_FORMAT_VERSIONS_READ.join(', ')} (got ${String(c.format)})`);
  if (!Number.isInteger(c.numCtas) || c.numCtas < 1) problems.push('numCtas must be a whole number ≥ 1');
  if (!Number.isInteger(c.capacity) || c.capacity < 1) problems.push('capacity must be a whole number ≥ 1');
  if (typeof c.bufferBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(c.bufferBase64))
    problems.push('bufferBase64 must be a base64 string');
  if (!c.problem || !c.config || !Number.isInteger(c.config.numStages))
    problems.push('problem and config (with numStages) are required');
  if (c.timing && !(c.timing.plainUs > 0 && c.timing.instrumentedUs > 0))
    problems.push('timing.plainUs and timing.instrumentedUs must be positive');
  if (problems.length) throw new TraceFormatError(`trace capture: ${problems.join('; ')}`);
  return c;
}

/** Decodes a capture as the runtime returns it (the usual entry point for views and the CLI). */
export function decodeCapture(c: TraceCapture): TraceData {
  checkTraceCapture(c);
  return decodeTrace(base64ToBytes(c.bufferBase64), {
    numCtas: c.numCtas,
    capacity: c.capacity,
    numStages: c.config.numStages,
    clockRateKHz: c.device?.clockRateKHz,
    pingpong: Boolean(c.config.pingpong),
  });
}
