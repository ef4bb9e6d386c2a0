// Types only: the grouped / weight-gradient GEMM benchmark and the layout utilities, as
// the worker, the CLI and the GPU tests exchange them. Everything here is JSON.
import type {
  Accuracy,
  Bf16Output,
  CodedErrorData,
  ConfigOverrides,
  DeviceReport,
  GemmConfig,
  GemmProblem,
  PeerAvailability,
  PeerId,
  PeerResult,
  RegisterReport,
  Stats,
} from './domain';

export type GroupedKind =
  'contiguous' | 'masked' | 'kgrouped' | 'wgrad' | 'bf16' | 'bf16-contiguous' | 'bf16-masked' | 'bf16-kgrouped';

/**
 * One case of a grouped benchmark; the per-group sizes are drawn from `seed` like DeepGEMM's test
 * generators (tests/generators.py) and recorded in the result's `draw`.
 */
export interface GroupedCase {
  kind: GroupedKind;
  /** wgrad, bf16: 1. */
  numGroups: number;
  /** contiguous: expected rows per group; masked: Mmax (rows per group of A and D); kgrouped / wgrad: M. */
  m: number;
  n: number;
  /** kgrouped: expected K per group; otherwise K. */
  k: number;
  /** masked: expected rows per group (the heuristics' hint; masked_m is drawn around it). */
  expectedM?: number;
  /** Force one group to be empty (contiguous: 0 rows; masked: masked_m = 0; kgrouped: K_g = 0). */
  emptyGroup?: number;
  /** contiguous: pass psum[G] (cumulative row ends) instead of the per-row expert index. */
  psum?: boolean;
  /** Force a config instead of the heuristic's choice. */
  config?: GemmConfig;
  /**
   * The caller's own int32 grouped layout instead of a draw (contiguous: expert per row, or psum[G]
   * with psum; masked: masked_m[G]; kgrouped: K_g[G]); validated before anything is launched.
   */
  layout?: number[];
  /** bf16: what D is (default 'bf16'; 'fp32-accumulate': D = C + A·Bᵀ in fp32). */
  output?: Bf16Output;
  /** Test hook: false skips the host's masked_m ≤ Mmax check, so the device's clamp and flag run. */
  hostChecks?: boolean;
}

/** The sizes drawn for a case (the seed reproduces them). */
export interface GroupedDraw {
  seed: number;
  /** contiguous: valid rows per group and the group's first row in A (padded to the M alignment). */
  groupRows?: number[];
  groupStart?: number[];
  /** contiguous: ΣM over the padded groups (rows of A and D). */
  totalRows?: number;
  /** masked: masked_m[g]. */
  maskedM?: number[];
  /** kgrouped: K_g (multiples of 128, 0 = empty). */
  groupK?: number[];
}

export interface GroupedTiming extends Stats {
  tflops: number;
  /** Bytes moved / time, in TB/s (the figure for memory-bound masked decode). */
  tbps: number;
  flops: number;
  bytes: number;
  /** Which rows the FLOPs count: 'padded' (contiguous), 'valid' (masked), 'all'. */
  flopsOver: 'padded' | 'valid' | 'all';
}

export interface GroupedResult {
  case: GroupedCase;
  draw: GroupedDraw;
  /** What the kernel runs: kind, rows of A (m), n, k (kgrouped: ΣK_g), numGroups. */
  problem: GemmProblem;
  config?: GemmConfig;
  kernelName?: string;
  registers?: RegisterReport;
  compile?: { cacheHit: boolean; ms: number; cacheKey: string };
  /** Over the valid rows only. */
  accuracy?: Accuracy;
  /** Rows the kernel must not write (contiguous padding, masked rows ≥ masked_m): words checked / changed. */
  untouched?: { words: number; changed: number };
  /** Device flags raised by the kernel (args.flags: 1 = masked_m clamped, 2 = expert index out of range). */
  deviceFlags?: number;
  timing?: GroupedTiming;
  /** DeepGEMM on the same case (same group sizes) on the same GPU, interleaved with ours. */
  peers?: PeerResult[];
  error?: CodedErrorData;
}

export interface GroupedBenchOptions {
  timing: boolean;
  /** Run DeepGEMM beside ours (default true); the grouped kinds have no cuBLASLt or torch peer. */
  peer?: boolean;
  peers?: PeerId[];
  rounds: number;
  seed: number;
  pdl?: boolean;
  /**
   * Parts of every case's config to force (the CLI's --config), the rest from the heuristics'
   * choice for the case; the M-grouped FP8 and the BF16 kinds (the 1D1D kernels pick their tiles).
   */
  config?: ConfigOverrides;
}

export interface GroupedBenchRun {
  id: string;
  startedAt: string;
  finishedAt?: string;
  mode: 'gpu' | 'study';
  device?: DeviceReport;
  options: GroupedBenchOptions;
  results: GroupedResult[];
  /** The peers this run asked for and whether each could run. */
  peers?: PeerAvailability[];
  interrupted?: { code: CodedErrorData['code']; message: string };
}

// ---------------------------------------------------------------------------------------------
// Layout utilities (runtime API): pure queries and settings, and casts on the GPU.

export type CastMode = 'per-token' | 'per-block' | 'per-channel';

export interface CastRequest {
  mode: CastMode;
  rows: number;
  cols: number;
  /** fp32 values, row-major [rows, cols], base64 of the little-endian bytes. */
  dataBase64: string;
}

export interface CastResult {
  mode: CastMode;
  rows: number;
  cols: number;
  /** e4m3 bytes [rows, cols], base64. */
  fp8Base64: string;
  /** fp32 scales, base64, in the layout the kernels read (`scaleLayout` says which). */
  scalesBase64: string;
  scaleLayout: string;
  scaleShape: number[];
}

export interface TransformScalesRequest {
  /** fp32 [rows][kBlocks] row-major (one scale per row and 128-wide K block), base64. */
  dataBase64: string;
  rows: number;
  kBlocks: number;
}

export interface TransformScalesResult {
  /** fp32 [kBlocks][alignedRows] MN-major, base64. */
  dataBase64: string;
  alignedRows: number;
  kBlocks: number;
}

/** Settings the persistent kernels and the contiguous layouts read (get and set). */
export interface GroupedSettings {
  /** SMs the persistent kernels may use (FP8LAB_NUM_SMS); undefined = all of the device's. */
  numSms?: number;
  /** Row (contiguous M-grouped) / K (K-grouped) alignment of the contiguous layouts. */
  mkAlignment: number;
}
