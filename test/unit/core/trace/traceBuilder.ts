// Test helper: writes trace buffers in the binary layout of extension/protocol/trace.ts, the way
// kernels/include/fp8lab/common/trace.cuh does on the GPU (header, 16-byte records, 32-bit clocks,
// count past capacity = dropped records), so the decoder is tested on bytes, not on objects.

import {
  TRACE_ANCHOR_KINDS,
  TRACE_FORMAT_VERSION,
  TRACE_HEADER_BYTES,
  TRACE_MAGIC,
  TRACE_NO_KBLOCK,
  TRACE_NO_STAGE,
  TRACE_RECORD_BYTES,
  TRACE_ROLES_PER_CTA,
  TraceEventKind as K,
  type TraceData,
} from '../../../../extension/protocol/trace';
import { decodeTrace } from '../../../../extension/src/core/trace/decode';

export interface BuiltEvent {
  kind: K;
  /** True time in ns since the slice started (globaltimer0). */
  ns: number;
  stage?: number;
  kblock?: number;
  tileM?: number;
  tileN?: number;
}

export interface BuiltSlice {
  cta: number;
  role: 0 | 1 | 2;
  sm: number;
  /** Absolute %globaltimer at the slice start (ns since the GPU's epoch: large). */
  globaltimer0: bigint;
  /** clock64 at the slice start. */
  clock0: bigint;
  events: BuiltEvent[];
}

export interface BuildOptions {
  numCtas: number;
  capacity: number;
  /** SM cycles per ns. */
  cyclesPerNs: number;
  /** %globaltimer update period in ns (readings are floored to it). */
  timerTickNs: number;
  /** Layout to write (default TRACE_FORMAT_VERSION): 1 puts a timer reading in every record, 2 only
   *  in anchor records (the others get `nonAnchorGtime`, 0 like the kernel unless a test says). */
  version?: 1 | 2;
  nonAnchorGtime?: number;
}

export function buildTrace(slices: BuiltSlice[], o: BuildOptions): Uint8Array {
  const sliceBytes = TRACE_HEADER_BYTES + o.capacity * TRACE_RECORD_BYTES;
  const bytes = new Uint8Array(o.numCtas * TRACE_ROLES_PER_CTA * sliceBytes);
  const v = new DataView(bytes.buffer);
  for (const s of slices) {
    const off = (s.cta * TRACE_ROLES_PER_CTA + s.role) * sliceBytes;
    v.setUint32(off, TRACE_MAGIC, true);
    v.setUint32(off + 4, s.events.length, true);
    v.setUint32(off + 8, o.capacity, true);
    v.setUint16(off + 12, s.sm, true);
    v.setUint8(off + 14, s.role);
    const version = o.version ?? TRACE_FORMAT_VERSION;
    v.setUint8(off + 15, version);
    v.setBigUint64(off + 16, s.globaltimer0 - (s.globaltimer0 % BigInt(o.timerTickNs)), true); // a reading, like the records
    v.setBigUint64(off + 24, s.clock0, true);
    s.events.slice(0, o.capacity).forEach((e, i) => {
      const r = off + TRACE_HEADER_BYTES + i * TRACE_RECORD_BYTES;
      const clock = s.clock0 + BigInt(Math.round(e.ns * o.cyclesPerNs));
      const trueG = s.globaltimer0 + BigInt(Math.floor(e.ns));
      const g = trueG - (trueG % BigInt(o.timerTickNs));
      v.setUint32(r, Number(clock & 0xffffffffn), true);
      const anchor = version === 1 || TRACE_ANCHOR_KINDS.includes(e.kind);
      v.setUint32(r + 4, anchor ? Number(g & 0xffffffffn) : (o.nonAnchorGtime ?? 0), true);
      v.setUint8(r + 8, e.kind);
      v.setUint8(r + 9, e.stage ?? TRACE_NO_STAGE);
      v.setUint16(r + 10, e.kblock ?? TRACE_NO_KBLOCK, true);
      v.setUint16(r + 12, e.tileM ?? 0, true);
      v.setUint16(r + 14, e.tileN ?? 0, true);
    });
  }
  return bytes;
}

export interface SimOptions {
  numCtas: number;
  /** Tiles per CTA; CTA c gets tiles c, c + numCtas, ... (numTiles in all). */
  numTiles: number;
  kBlocks: number;
  stages: number;
  mathWarpgroups: 1 | 2;
  /** Per K-block costs in ns. */
  loadNs: number;
  wgmmaNs: number;
  promoteNs: number;
  epilogueNs: number;
  /** Gap between a tile's end and the next tile's start on the math side. */
  tileGapNs: number;
  tilesN: number;
}

/**
 * A small pipeline simulation that emits the events the instrumented kernel emits, in the same
 * order per role: the producer fills a ring of `stages`, each math warpgroup waits for a stage,
 * runs wgmma, releases it, promotes; epilogue per tile. Times are exact multiples of the inputs.
 */
export function simulateKernel(o: SimOptions, startNs = (sm: number) => sm * 3): BuiltSlice[] {
  const out: BuiltSlice[] = [];
  for (let cta = 0; cta < o.numCtas; cta++) {
    const sm = cta; // one CTA per SM (persistent grid)
    const t0 = startNs(sm);
    const tiles: number[] = [];
    for (let t = cta; t < o.numTiles; t += o.numCtas) tiles.push(t);
    const prod: BuiltEvent[] = [];
    const maths: BuiltEvent[][] = Array.from({ length: o.mathWarpgroups }, () => []);
    const releaseAt: number[] = []; // per global k-block index: time the stage is released
    const readyAt: number[] = []; // per global k-block index: time the stage is full
    let pt = 0,
      mt = 0,
      g = 0;
    // Producer and consumers interleaved step by step (consumers depend on loads and vice versa).
    for (const tile of tiles) {
      const tm = Math.floor(tile / o.tilesN),
        tn = tile % o.tilesN;
      const at = { tileM: tm, tileN: tn };
      prod.push({ kind: K.TileBegin, ns: pt, ...at });
      for (const m of maths) m.push({ kind: K.TileBegin, ns: mt, ...at });
      for (let kb = 0; kb < o.kBlocks; kb++, g++) {
        const stage = g % o.stages;
        const freeAt = g >= o.stages ? releaseAt[g - o.stages] : 0;
        prod.push({ kind: K.EmptyWaitBegin, ns: pt, stage, kblock: kb, ...at });
        pt = Math.max(pt, freeAt);
        prod.push({ kind: K.EmptyWaitEnd, ns: pt, stage, kblock: kb, ...at });
        pt += 10;
        prod.push({ kind: K.TmaIssue, ns: pt, stage, kblock: kb, ...at });
        readyAt[g] = pt + o.loadNs;
        // consumers
        for (const m of maths) m.push({ kind: K.FullWaitBegin, ns: mt, stage, kblock: kb, ...at });
        mt = Math.max(mt, readyAt[g]);
        for (const m of maths) {
          m.push({ kind: K.FullWaitEnd, ns: mt, stage, kblock: kb, ...at });
          m.push({ kind: K.WgmmaIssue, ns: mt, stage, kblock: kb, ...at });
        }
        mt += o.wgmmaNs;
        for (const m of maths) {
          m.push({ kind: K.WgmmaDone, ns: mt, stage, kblock: kb, ...at });
          m.push({ kind: K.StageRelease, ns: mt, stage, kblock: kb, ...at });
          m.push({ kind: K.PromoteBegin, ns: mt, stage, kblock: kb, ...at });
        }
        releaseAt[g] = mt;
        mt += o.promoteNs;
        for (const m of maths) m.push({ kind: K.PromoteEnd, ns: mt, stage, kblock: kb, ...at });
      }
      prod.push({ kind: K.TileEnd, ns: pt, ...at });
      for (const m of maths) m.push({ kind: K.EpilogueBegin, ns: mt, ...at });
      mt += o.epilogueNs;
      for (const m of maths) {
        m.push({ kind: K.TmaStore, ns: mt, ...at });
        m.push({ kind: K.EpilogueEnd, ns: mt, ...at });
        m.push({ kind: K.TileEnd, ns: mt, ...at });
      }
      mt += o.tileGapNs;
    }
    const g0 = 1_763_700_000_000_000_000n + BigInt(t0);
    const c0 = 5_000_000_000n + BigInt(cta) * 7_919n; // unrelated per-SM clock origins
    out.push({ cta, role: 0, sm, globaltimer0: g0, clock0: c0, events: prod });
    maths.forEach((events, w) => out.push({ cta, role: (w + 1) as 1 | 2, sm, globaltimer0: g0, clock0: c0, events }));
  }
  return out;
}

/**
 * One math warpgroup running the overlapped K-loop over two K-blocks: K-block 1's wgmma is issued
 * (150 ns) before K-block 0's is done (300 ns), and K-block 0 is promoted while 1 runs.
 */
export const OVERLAPPED_TWO_KBLOCKS = [
  { kind: K.TileBegin, ns: 0 },
  { kind: K.WgmmaIssue, ns: 100, stage: 0, kblock: 0 },
  { kind: K.WgmmaIssue, ns: 150, stage: 1, kblock: 1 },
  { kind: K.WgmmaDone, ns: 300, stage: 0, kblock: 0 },
  { kind: K.PromoteBegin, ns: 300, stage: 0, kblock: 0 },
  { kind: K.PromoteEnd, ns: 350, stage: 0, kblock: 0 },
  { kind: K.WgmmaDone, ns: 500, stage: 1, kblock: 1 },
  { kind: K.PromoteBegin, ns: 500, stage: 1, kblock: 1 },
  { kind: K.PromoteEnd, ns: 550, stage: 1, kblock: 1 },
  { kind: K.TileEnd, ns: 550 },
];

/** A realistic %globaltimer value (> 2^53) for hand-built slices. */
export const G0 = 1_763_700_000_123_456_789n;

/** One role's slice of CTA 0 on SM 0, its clock starting at 0. */
export function ctaZeroSlice(role: 0 | 1 | 2, events: BuiltEvent[]): BuiltSlice {
  return { cta: 0, role, sm: 0, globaltimer0: G0, clock0: 0n, events };
}

/**
 * The small kernel the summary, tile-phase and timeline-view tests work out by hand: two CTAs, three
 * tiles (CTA 0 gets tiles 0 and 2, CTA 1 tile 1), two K-blocks each, a ring of two stages; loads
 * 100 ns, wgmma 50, promotion 10, epilogue 30, 20 ns between tiles; exact clocks.
 */
export const SMALL_KERNEL: SimOptions = {
  numCtas: 2,
  numTiles: 3,
  kBlocks: 2,
  stages: 2,
  mathWarpgroups: 1,
  loadNs: 100,
  wgmmaNs: 50,
  promoteNs: 10,
  epilogueNs: 30,
  tileGapNs: 20,
  tilesN: 2,
};

export function smallKernelTrace(): TraceData {
  return decodeTrace(
    buildTrace(
      simulateKernel(SMALL_KERNEL, () => 0),
      { numCtas: 2, capacity: 64, cyclesPerNs: 2, timerTickNs: 1 },
    ),
    { numCtas: 2, capacity: 64 },
  );
}
