// Types only: the pipeline trace (raw capture, decoded spans, summaries) and the accuracy report.
// Producers: the instrumented kernel build (kernels/include/fp8lab/common/trace.cuh) and the
// runtime's `timeline` / `accuracy` verbs. Consumers: extension/src/core/trace, core/accuracy and
// the timeline / accuracy webviews.
//
// ---------------------------------------------------------------------------------------------
// THE BINARY LAYOUT of a trace buffer (the one place it is written down; trace.cuh and
// extension/src/core/trace/format.ts implement exactly this). All little-endian.
//
//   buffer = numCtas * TRACE_ROLES_PER_CTA slices, slice index = cta * 3 + role,
//            role 0 = TMA producer, 1 = math warpgroup 0, 2 = math warpgroup 1
//   slice  = 32-byte header + capacity * 16-byte records   (slice bytes = 32 + 16 * capacity)
//   header:  off  0 u32 magic 0x52543846 ("F8TR"); 0 = this role never ran in this CTA
//            off  4 u32 count      events the role tried to record (may exceed capacity)
//            off  8 u32 capacity   records this slice can hold (written = min(count, capacity))
//            off 12 u16 smid       %smid of the SM that ran the CTA
//            off 14 u8  role       0 / 1 / 2 as above
//            off 15 u8  version    TRACE_FORMAT_VERSION
//            off 16 u64 globaltimer0   %globaltimer (ns) when the role started recording
//            off 24 u64 clock0         clock64 (SM cycles) at the same moment
//   record:  off  0 u32 clock      low 32 bits of clock64 (fine, SM-local)
//            off  4 u32 gtime      low 32 bits of %globaltimer (coarse, comparable across SMs), written
//                                  only by ANCHOR records (version 2: kinds TileBegin / TileEnd; the
//                                  header holds the slice-start anchor); 0 and ignored in the others
//                                  (version 1, still decoded: every record had it)
//            off  8 u8  kind       TraceEventKind
//            off  9 u8  stage      ring stage (0xff when not about a stage)
//            off 10 u16 kblock     K-block index inside the tile (0xffff when not about one)
//            off 12 u16 tileM      tile row block (m_block)
//            off 14 u16 tileN      tile column block (n_block)
// The host zero-fills the buffer before the launch (so unused slices read magic 0). Records of a
// slice are in program order of its single writer thread, so both clocks only move forward; the
// decoder unwraps the 32-bit values from the header's 64-bit ones, and places every record by its
// clock on the line through its slice's anchors (extension/src/core/trace/decode.ts).
// Version 2 exists because reading %globaltimer at every event cost the math warpgroups ~64% of
// the kernel time on the H100; the writer also resets its slice on each launch, so a buffer zeroed
// once and replayed back to back holds the last launch's records.
// ---------------------------------------------------------------------------------------------

import type { DeviceReport, GemmConfig, GemmProblem } from './domain';

export const TRACE_MAGIC = 0x52543846;
export const TRACE_FORMAT_VERSION = 2;
/** Layouts the decoder reads: the one written now and version 1 (recorded fixtures). */
export const TRACE_FORMAT_VERSIONS_READ: readonly number[] = [1, 2];
/** Kinds whose records carry a %globaltimer reading in version 2. */
export const TRACE_ANCHOR_KINDS: readonly number[] = [1 /* TileBegin */, 2 /* TileEnd */];
export const TRACE_ROLES_PER_CTA = 3;
export const TRACE_HEADER_BYTES = 32;
export const TRACE_RECORD_BYTES = 16;
export const TRACE_NO_STAGE = 0xff;
export const TRACE_NO_KBLOCK = 0xffff;

/** Event kinds written by the kernel (values are the u8 in a record; trace.cuh has the same enum). */
export enum TraceEventKind {
  TileBegin = 1, // math + producer: a tile starts (tileM, tileN)
  TileEnd = 2, // math: after its TMA store was issued; producer: after the last K-block's loads
  EmptyWaitBegin = 3, // producer: waits for consumers to release `stage`
  EmptyWaitEnd = 4,
  TmaIssue = 5, // producer: A, SFA and B loads of (kblock) issued into `stage`
  FullWaitBegin = 6, // math: waits for `stage` to be filled
  FullWaitEnd = 7,
  WgmmaIssue = 8, // math: first wgmma of the K-block issued
  WgmmaDone = 9, // math: wgmma.wait_group 0 returned
  StageRelease = 10, // math: arrived on the empty barrier of `stage`
  PromoteBegin = 11, // math: scale and add into the fp32 accumulators
  PromoteEnd = 12,
  EpilogueBegin = 13, // math: waits for the staging tile, bf16 convert, stmatrix
  TmaStore = 14, // math: TMA store of the tile issued
  EpilogueEnd = 15,
}

export type TraceRole = 'producer' | 'math0' | 'math1';
export const TRACE_ROLES: readonly TraceRole[] = ['producer', 'math0', 'math1'];

/** What a span of time was spent on; drawn in one colour each. */
export type TracePhase =
  | 'wait-empty' // producer blocked on consumers (ring full)
  | 'tma-issue' // producer issuing loads (from the wait's end to the issue)
  | 'wait-full' // math blocked on memory (stage not loaded yet)
  | 'wgmma' // tensor cores
  | 'promote' // CUDA-core promotion of the partial sums
  | 'epilogue'; // bf16 conversion, stmatrix, TMA store
export const TRACE_PHASES: readonly TracePhase[] = [
  'wait-empty',
  'tma-issue',
  'wait-full',
  'wgmma',
  'promote',
  'epilogue',
];

/** What the runtime returns from an instrumented run (JSON; the buffer is base64). */
export interface TraceCapture {
  /** Layout version of bufferBase64 (any of TRACE_FORMAT_VERSIONS_READ; new captures: TRACE_FORMAT_VERSION). */
  format: 1 | 2;
  problem: GemmProblem;
  config: GemmConfig;
  kernelName?: string;
  /** CTAs launched (gridDim.x); the buffer holds numCtas * 3 slices. */
  numCtas: number;
  /** Records per slice. */
  capacity: number;
  /** The raw device buffer, base64. */
  bufferBase64: string;
  device?: DeviceReport;
  /** Cost of the instrumentation: median kernel time without and with it (CUDA events). */
  timing?: { plainUs: number; instrumentedUs: number; samples: number };
  /** Provenance for recorded fixtures. */
  recorded?: string;
}

/** Spans as parallel arrays (hundreds of thousands of them: no object per span). */
export interface TraceSpans {
  count: number;
  /** ns from the first event of the kernel. */
  start: Float64Array;
  end: Float64Array;
  /** Index into TRACE_PHASES. */
  phase: Uint8Array;
  /** Index into TraceData.rows. */
  row: Uint32Array;
  stage: Uint8Array;
  kblock: Uint16Array;
  tileM: Uint16Array;
  tileN: Uint16Array;
}

/** A tile's lifetime on one row (tile start to tile end). */
export interface TraceTiles {
  count: number;
  start: Float64Array;
  end: Float64Array;
  row: Uint32Array;
  tileM: Uint16Array;
  tileN: Uint16Array;
}

export interface TraceRow {
  cta: number;
  sm: number;
  role: TraceRole;
  /** Events the role tried to record, and how many did not fit (dropped at the end). */
  events: number;
  dropped: number;
}

/** Stage fills: from the producer's TMA issue to the last math warpgroup's release. */
export interface TraceStageFills {
  count: number;
  start: Float64Array;
  end: Float64Array;
  cta: Uint32Array;
  stage: Uint8Array;
}

export interface TraceData {
  rows: TraceRow[];
  spans: TraceSpans;
  tiles: TraceTiles;
  fills: TraceStageFills;
  /** ns from the first to the last event. */
  durationNs: number;
  /** SM clock estimated from the two clocks (cycles per ns); how in `clockMethod`. */
  cyclesPerNs: number;
  clockMethod: string;
  numStages: number;
  eventsRecorded: number;
  eventsDropped: number;
  /** The ping-pong kernel's trace: the math warpgroups ran alternate tiles, not shares of each. */
  pingpong?: boolean;
}

export interface RoleSummary {
  role: 'producer' | 'math';
  rows: number;
  /** Sum over rows of (last event - first event). */
  activeNs: number;
  /** Sum of span durations per phase. */
  phaseNs: Record<TracePhase, number>;
  /** Time blocked: wait-full for math (memory), wait-empty for the producer (consumers). */
  waitingNs: number;
  /** Time in wgmma or promote for math (counted once where the overlapped K-loop runs them at once); tma-issue for the producer. */
  workingNs: number;
}

export interface SpreadNs {
  p50: number;
  p90: number;
}

/** Ping-pong hides a warpgroup's epilogue behind the other's K-loop only while it is the shorter. */
export interface TilePhaseTimes {
  /** Tiles (per math row) with a K-loop and an epilogue inside their tile span. */
  tiles: number;
  /** First full-barrier wait to the last wgmma group done, per tile. */
  kLoopNs: SpreadNs;
  /** Epilogue begin to end (convert, stage, issue the stores), per tile. */
  epilogueNs: SpreadNs;
}

export interface TraceSummary {
  durationNs: number;
  tiles: number;
  sms: number;
  roles: RoleSummary[];
  /** Gaps between a math row's tile end and its next tile start. */
  bubbles: { count: number; totalNs: number; meanNs: number; maxNs: number };
  /** Last wave: from the first SM to run out of tiles to the kernel's end. */
  tail: { ns: number; fraction: number; idleSmFraction: number; firstIdleSm: number; lastSm: number };
  /** Mean stages in flight per CTA over the kernel and the ring size. */
  ring: { meanOccupied: number; stages: number };
  /** Per tile and math row, the K-loop against the epilogue; absent when no tile recorded both. */
  tilePhases?: TilePhaseTimes;
  /** The ping-pong kernel's trace (each math warpgroup runs whole tiles of its own). */
  pingpong?: boolean;
  eventsRecorded: number;
  eventsDropped: number;
}

// ---------------------------------------------------------------------------------------------
// Accuracy

export type InputKind = 'normal' | 'outliers' | 'tiny';

/** The three kernels compared: 1x128 / 128x128 scales with promotion (the design), one scale per
 *  tensor, and all of K accumulated in the tensor-core accumulator (no promotion). */
export type AccuracyVariant = 'fine' | 'perTensor' | 'noPromotion';
export const ACCURACY_VARIANTS: readonly AccuracyVariant[] = ['fine', 'perTensor', 'noPromotion'];

/** Log-scale histogram of |x - y| / max(|y|, floor) over every output element.
 *  Bin i covers [10^(lo + i/perDecade), 10^(lo + (i+1)/perDecade)); see core/accuracy/histogram.ts. */
export interface ErrorHistogram {
  log10Lo: number;
  perDecade: number;
  counts: number[];
  /** Exactly zero error. */
  zero: number;
  /** Above zero but below 10^log10Lo. */
  below: number;
  /** At or above the last edge. */
  above: number;
  /** NaN or Inf outputs. */
  nonFinite: number;
}

/** Per output tile sums computed on the GPU, row-major [tilesM][tilesN]. */
export interface TileErrorSums {
  blockM: number;
  blockN: number;
  tilesM: number;
  tilesN: number;
  /** max |x - y| over the tile. */
  maxAbs: number[];
  /** Σ (x - y)² over the tile. */
  sumSqErr: number[];
  /** Σ y² over the tile (reference), for a relative figure. */
  sumSqRef: number[];
}

export interface AccuracyVariantReport {
  variant: AccuracyVariant;
  kernelName?: string;
  calcDiff: number;
  maxAbsError: number;
  maxRelError: number;
  unwritten: number;
  histogram: ErrorHistogram;
  tiles: TileErrorSums;
  /** The same output against an FP32 reference of ITS OWN dequantised FP8 inputs: the kernel's
   *  arithmetic alone (bf16 rounding, and the accumulator's truncation without promotion). */
  vsDequantised?: { calcDiff: number; maxAbsError: number; maxRelError: number };
}

export interface AccuracyReport {
  problem: GemmProblem;
  config: GemmConfig;
  input: InputKind;
  seed: number;
  device?: DeviceReport;
  variants: AccuracyVariantReport[];
  recorded?: string;
}

// ---------------------------------------------------------------------------------------------
// Webview snapshots (to join extension/protocol/webview.ts's Snapshot union when the host wires
// the panels: view names 'timeline' and 'accuracy').

export interface TimelineSnapshot {
  view: 'timeline';
  title: string;
  capture: TraceCapture;
}

export interface AccuracySnapshot {
  view: 'accuracy';
  title: string;
  report: AccuracyReport;
  /** Every report of the file it came from (input kinds, seeds), for the view's picker; `report` is one of them. */
  reports?: AccuracyReport[];
}
