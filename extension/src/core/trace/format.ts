// Reads the raw trace buffer (layout in extension/protocol/trace.ts) into per-slice views: header
// fields and the written records, with the 32-bit clocks unwrapped to full values. Pure.

import {
  TRACE_ANCHOR_KINDS,
  TRACE_FORMAT_VERSION,
  TRACE_FORMAT_VERSIONS_READ,
  TRACE_HEADER_BYTES,
  TRACE_MAGIC,
  TRACE_RECORD_BYTES,
  TRACE_ROLES,
  TRACE_ROLES_PER_CTA,
  type TraceRole,
} from '../../../protocol/trace';

export class TraceFormatError extends Error {
  readonly code = 'E_TRACE_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'TraceFormatError';
  }
}

export interface TraceGeometry {
  numCtas: number;
  capacity: number;
}

/** One (CTA, role) slice that ran. The start clocks are 64-bit (globaltimer is ns since an epoch:
 *  beyond 2^53), so they stay bigint until made relative. */
export interface TraceSlice {
  cta: number;
  role: TraceRole;
  sm: number;
  /** Events attempted; records written = min(events, capacity). */
  events: number;
  /** Byte offset of the first record in the buffer. */
  recordsOffset: number;
  written: number;
  globaltimer0: bigint;
  clock0: bigint;
  /** Layout version the kernel wrote (1: gtime in every record; 2: only in anchor records). */
  version: number;
}

export const sliceBytes = (capacity: number): number => TRACE_HEADER_BYTES + capacity * TRACE_RECORD_BYTES;

export const traceBufferBytes = (g: TraceGeometry): number => g.numCtas * TRACE_ROLES_PER_CTA * sliceBytes(g.capacity);

/** Parses every slice header; slices whose magic is 0 (the role did not run) are skipped. */
export function readSlices(bytes: Uint8Array, g: TraceGeometry): TraceSlice[] {
  if (!Number.isInteger(g.numCtas) || g.numCtas < 1 || !Number.isInteger(g.capacity) || g.capacity < 1) {
    throw new TraceFormatError(
      `trace geometry must have numCtas ≥ 1 and capacity ≥ 1 (whole numbers); got numCtas ${g.numCtas}, capacity ${g.capacity}`,
    );
  }
  const expected = traceBufferBytes(g);
  if (bytes.byteLength !== expected) {
    throw new TraceFormatError(
      `trace buffer has ${bytes.byteLength} bytes; ${g.numCtas} CTAs x ${TRACE_ROLES_PER_CTA} roles x (${TRACE_HEADER_BYTES} + ${g.capacity} x ${TRACE_RECORD_BYTES}) needs ${expected}: pass the numCtas and capacity the kernel was launched with`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: TraceSlice[] = [];
  const size = sliceBytes(g.capacity);
  for (let cta = 0; cta < g.numCtas; cta++) {
    for (let r = 0; r < TRACE_ROLES_PER_CTA; r++) {
      const off = (cta * TRACE_ROLES_PER_CTA + r) * size;
      const magic = view.getUint32(off, true);
      if (magic === 0) continue;
      const where = `slice of CTA ${cta} role ${TRACE_ROLES[r]} (byte ${off})`;
      if (magic !== TRACE_MAGIC)
        throw new TraceFormatError(
          `${where}: magic 0x${magic.toString(16)} is neither 0 nor 0x${TRACE_MAGIC.toString(16)}; was the buffer zero-filled before the launch?`,
        );
      const version = view.getUint8(off + 15);
      if (!TRACE_FORMAT_VERSIONS_READ.includes(version))
        throw new TraceFormatError(
          `${where}: format version ${version}; this decoder reads versions ${TRACE_FORMAT_VERSIONS_READ.join(' and ')} (the kernel writes ${TRACE_FORMAT_VERSION})`,
        );
      const capacity = view.getUint32(off + 8, true);
      if (capacity !== g.capacity)
        throw new TraceFormatError(`${where}: the kernel wrote capacity ${capacity}, the host said ${g.capacity}`);
      const role = view.getUint8(off + 14);
      if (role !== r) throw new TraceFormatError(`${where}: header says role ${role}`);
      const events = view.getUint32(off + 4, true);
      out.push({
        cta,
        role: TRACE_ROLES[r],
        sm: view.getUint16(off + 12, true),
        events,
        recordsOffset: off + TRACE_HEADER_BYTES,
        written: Math.min(events, capacity),
        globaltimer0: view.getBigUint64(off + 16, true),
        clock0: view.getBigUint64(off + 24, true),
        version,
      });
    }
  }
  return out;
}

/** A slice's records with unwrapped clocks (relative to the header's start values). */
export interface SliceRecords {
  /** Cycles since clock0. */
  clock: Float64Array;
  /** ns since globaltimer0 at anchor records; NaN where the record carries no timer reading
   *  (version 2 reads %globaltimer only at TRACE_ANCHOR_KINDS). */
  gtime: Float64Array;
  /** Indices of the records that carry a timer reading, in order. */
  anchors: Uint32Array;
  kind: Uint8Array;
  stage: Uint8Array;
  kblock: Uint16Array;
  tileM: Uint16Array;
  tileN: Uint16Array;
}

export function readRecords(bytes: Uint8Array, s: TraceSlice): SliceRecords {
  const n = s.written;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r: SliceRecords = {
    clock: new Float64Array(n),
    gtime: new Float64Array(n),
    anchors: new Uint32Array(0),
    kind: new Uint8Array(n),
    stage: new Uint8Array(n),
    kblock: new Uint16Array(n),
    tileM: new Uint16Array(n),
    tileN: new Uint16Array(n),
  };
  // Both clocks move forward within a slice, and consecutive events of one thread are far less
  // than 2^31 ticks apart (over a second), so each step is the signed 32-bit difference.
  const step = (now: number, prev: number) => {
    const d = (now - prev + 2 ** 32) % 2 ** 32;
    return d >= 2 ** 31 ? d - 2 ** 32 : d;
  };
  // The timer is unwrapped from anchor to anchor (at most a tile apart).
  let prevC = Number(s.clock0 & 0xffffffffn),
    prevG = Number(s.globaltimer0 & 0xffffffffn),
    c = 0,
    t = 0;
  const anchors: number[] = [];
  for (let i = 0; i < n; i++) {
    const off = s.recordsOffset + i * TRACE_RECORD_BYTES;
    const lc = view.getUint32(off, true);
    c += step(lc, prevC);
    prevC = lc;
    r.clock[i] = c;
    r.kind[i] = view.getUint8(off + 8);
    if (s.version === 1 || TRACE_ANCHOR_KINDS.includes(r.kind[i])) {
      const lg = view.getUint32(off + 4, true);
      t += step(lg, prevG);
      prevG = lg;
      r.gtime[i] = t;
      anchors.push(i);
    } else {
      r.gtime[i] = NaN;
    }
    r.stage[i] = view.getUint8(off + 9);
    r.kblock[i] = view.getUint16(off + 10, true);
    r.tileM[i] = view.getUint16(off + 12, true);
    r.tileN[i] = view.getUint16(off + 14, true);
  }
  r.anchors = Uint32Array.from(anchors);
  return r;
}

/** base64 (TraceCapture.bufferBase64) to bytes without Node's Buffer, so the webview can use it. */
export function base64ToBytes(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}
