// Shrinks a downloaded trace buffer to the records actually written: the buffer is sized for the
// worst case (every CTA running the most tiles), but the capture travels as base64 JSON (webview
// messages, files back from a GPU machine), so each slice is cut to the largest number of records
// any slice wrote. Same layout (extension/protocol/trace.ts), smaller capacity; counts are kept, so
// dropped events stay visible. Pure.
import { TRACE_HEADER_BYTES, TRACE_RECORD_BYTES, TRACE_ROLES_PER_CTA } from '../../../protocol/trace';

export function compactTrace(
  bytes: Uint8Array,
  numCtas: number,
  capacity: number,
): { bytes: Uint8Array; capacity: number } {
  const slices = numCtas * TRACE_ROLES_PER_CTA;
  const sliceBytes = TRACE_HEADER_BYTES + capacity * TRACE_RECORD_BYTES;
  if (bytes.length < slices * sliceBytes)
    throw new RangeError(
      `trace buffer holds ${bytes.length} bytes; ${numCtas} CTAs x 3 roles x ${sliceBytes} = ${slices * sliceBytes} are needed`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let used = 1;
  for (let s = 0; s < slices; s++) used = Math.max(used, Math.min(view.getUint32(s * sliceBytes + 4, true), capacity));
  if (used === capacity) return { bytes: bytes.subarray(0, slices * sliceBytes), capacity };
  const outSlice = TRACE_HEADER_BYTES + used * TRACE_RECORD_BYTES;
  const out = new Uint8Array(slices * outSlice);
  const outView = new DataView(out.buffer);
  for (let s = 0; s < slices; s++) {
    const written = Math.min(view.getUint32(s * sliceBytes + 4, true), capacity);
    out.set(
      bytes.subarray(s * sliceBytes, s * sliceBytes + TRACE_HEADER_BYTES + written * TRACE_RECORD_BYTES),
      s * outSlice,
    );
    // A slice that never ran keeps its all-zero header (magic 0); the others get the new capacity.
    if (view.getUint32(s * sliceBytes, true) !== 0) outView.setUint32(s * outSlice + 8, used, true);
  }
  return { bytes: out, capacity: used };
}
