// Types only: the domain of the runtime — problems, configs, results, runs, devices and coded
// errors — as the worker, the CLI, the views and the saved JSON files share them. Everything here
// is JSON. Imports nothing but the addon's error codes, so every other protocol file can use it.

import type { ErrorCode as NativeErrorCode } from '../../native/index';

/** Coded errors: the addon's, plus the ones policy and the worker add. */
export type ErrorCode =
  | NativeErrorCode
  | 'E_ADDON_LOAD' // the .node file is missing or broken (message names the file and the fix)
  | 'E_WORKER_EXITED' // the worker died with this request in flight
  | 'E_WORKER_TIMEOUT' // the request outlived fp8lab.runtime.requestTimeoutSeconds; worker restarted
  | 'E_CANCELLED' // the caller cancelled; what was measured before is kept
  | 'E_UNTRUSTED' // the workspace is not trusted: nothing is compiled or run
  | 'E_INVALID_SHAPE' // policy-level shape validation (message says what would work)
  | 'E_INVALID_CONFIG' // a config the kernels cannot take (message names the rule)
  | 'E_INTERNAL' // a bug: an unexpected exception in the worker/CLI (stack in `log`)
  | 'E_WRONG_RESULT' // a kernel's output failed the accuracy check (calc_diff, unwritten elements): not timed
  | 'E_TRACE_FORMAT' // a trace buffer or accuracy report that does not follow extension/protocol/trace.ts
  | 'E_NO_SASS_TOOLS' // neither nvdisasm nor cuobjdump found (message says where we looked and what to install)
  | 'E_SASS_FAILED' // the disassembler failed or printed nothing we could read
  | 'E_SLURM'; // a Slurm command is missing, refused the job or failed (message quotes Slurm's words)

/** Wire form of a coded error (JSON-RPC error `data`). */
export interface CodedErrorData {
  code: ErrorCode;
  message: string;
  log?: string;
  cudaError?: string;
}

// ---------------------------------------------------------------------------------------------
// Environment

export interface DeviceReport {
  ordinal: number;
  name: string;
  computeCapability: [number, number];
  smCount: number;
  totalMemoryBytes: number;
  l2CacheBytes: number;
  maxSharedMemoryPerBlockOptin: number;
  clockRateKHz: number;
  isHopper: boolean;
}

export interface ToolkitReport {
  nvccPath: string;
  cudaHome: string;
  /** e.g. "13.0" from `nvcc --version`; undefined when nvcc is missing. */
  version?: string;
  usable: boolean;
  /** Why it is not usable (missing, too old: need ≥ 12.3). */
  problem?: string;
}

export interface EnvironmentReport {
  driver:
    | { ok: true; libcudaPath: string; version: number; versionText: string }
    | { ok: false; code: ErrorCode; message: string };
  devices: DeviceReport[];
  toolkit: ToolkitReport;
  nvrtc: { available: boolean; path?: string };
  cublasLt: { available: boolean; path?: string; version?: number; problem?: string };
  /** bytes: the whole cache's size, present only when asked for (`fp8lab check`): it means a stat() of every file. */
  cache: { dir: string; entries: number; bytes?: number; writable: boolean };
  addon: { path: string; napiVersion: number };
  /** True when a Hopper GPU and a usable toolkit are both present: kernels can run. */
  canRunKernels: boolean;
  /** True when a usable toolkit is present: kernels can be compiled (study mode). */
  canCompileKernels: boolean;
  /** One plain sentence for the status bar / CLI. */
  summary: string;
}

// ---------------------------------------------------------------------------------------------
// Problems, configs, results

export type KernelKind =
  | 'normal'
  | 'contiguous'
  | 'masked'
  | 'kgrouped'
  | 'wgrad'
  | 'bf16'
  | 'bf16-contiguous'
  | 'bf16-masked'
  | 'bf16-kgrouped';

/** What the BF16 GEMM (kind 'bf16') writes: D bf16, D fp32, or D fp32 += A·Bᵀ (D starts as C). */
export type Bf16Output = 'bf16' | 'fp32' | 'fp32-accumulate';

export interface GemmProblem {
  kind: KernelKind;
  m: number;
  n: number;
  k: number;
  /** Grouped kinds: number of groups; per-group sizes drawn as DeepGEMM's generators do. */
  numGroups?: number;
  /** Masked: expected m per group (the heuristics' hint); contiguous/k-grouped: expected size. */
  expectedM?: number;
  /** Force a config instead of the heuristic's choice (explorer's "Time", autotune overrides). */
  config?: GemmConfig;
  /** Kind 'bf16' only: the output (default 'bf16'; the M-grouped BF16 kinds write bf16). */
  output?: Bf16Output;
}

export interface GemmConfig {
  blockM: number;
  blockN: number;
  blockK: number; // always 128 for FP8
  numStages: number;
  numMathWarpgroups: number;
  clusterM: number; // 1 | 2
  clusterN: number; // 1 | 2 (clusterM * clusterN <= 2)
  swizzleA: number; // bytes
  swizzleB: number;
  swizzleD: number;
  numSms: number;
  sharedBytes: number;
  numThreads: number; // 128 * (1 + numMathWarpgroups)
  /** 2 or 4: each tile's K is split across the CTAs of a cluster (no multicast then); absent = 1. */
  splitK?: number;
  /**
   * BF16 kernel only. 1: ping-pong, each of the 2 math warpgroups computes whole tiles of its own and
   * they take alternate tiles (one's epilogue under the other's K-loop); absent or 0: cooperative,
   * the math warpgroups split every tile's rows.
   */
  pingpong?: number;
  /**
   * BF16 kernel only (Normal, cooperative). 2 or 3: the epilogue stages D one TMA store box at a time
   * through a ring of this many box-sized buffers, leaving the rest of a whole-tile staging buffer to
   * pipeline stages; absent or 0: the whole tile is staged at once.
   */
  dSlabs?: number;
}

export interface Candidate {
  config: GemmConfig;
  /** Present when rejected: a stable code and a sentence. */
  rejected?: { rule: string; reason: string };
  /** Cost-model prediction (cycles and µs at the model's clock); absent for rejected ones. */
  predicted?: { cycles: number; us: number };
  tiles: number;
  waves: number;
  lastWaveUtilisation: number;
}

export interface ConfigReport {
  problem: GemmProblem;
  chosen: GemmConfig;
  why: string;
  candidates: Candidate[];
  /** Where the chosen config came from (a tuned record, the calibrated model, the H100 defaults, forced). */
  configOrigin?: ConfigOrigin;
}

/** Where a chosen config came from, as the CLI, the explorer and the hover say it. */
export interface ConfigOrigin {
  kind: 'tuned' | 'calibrated' | 'defaults' | 'forced';
  /** One phrase: "tuned on this GPU on 2026-12-06", "model calibrated on this GPU", "model with H100 defaults". */
  text: string;
  /** Tuned: when the record was measured; calibrated: when the device profile was. */
  measuredAt?: string;
  /** Tuned: the tuning record's id. */
  recordId?: string;
}

export interface CompileJob {
  problem: GemmProblem;
  config?: GemmConfig;
}

export interface RegisterReport {
  /** From ptxas -v. */
  registers: number;
  spillStoresBytes: number;
  spillLoadsBytes: number;
  stackFrameBytes: number;
  staticSharedBytes: number;
  /** From cuFuncGetAttribute when a GPU was there to load it (must equal ptxas). */
  driver?: { numRegs: number; localSizeBytes: number; sharedSizeBytes: number };
  /** setmaxnreg values per warpgroup role, read from the kernel's template constants. */
  producerRegisters: number;
  mathRegisters: number;
  dynamicSharedBytes: number;
  /** CTAs per SM that fit (registers, shared memory, threads). */
  occupancyCtasPerSm: number;
}

export interface CompileReport {
  problem: GemmProblem;
  config: GemmConfig;
  kernelName: string;
  cacheKey: string;
  cacheHit: boolean;
  compileMs: number;
  cubinPath: string;
  ptxasLog: string;
  registers: RegisterReport;
  command: string[];
}

export interface BenchOptions {
  /** Skip timing (study mode / correctness only). */
  timing: boolean;
  /** Run the peers at all (--no-peer turns them off). */
  peer: boolean;
  /** Which peers (default: every one); see PeerId. */
  peers?: PeerId[];
  rounds: number;
  callsPerGraph?: number;
  seed: number;
  /** Input distribution of the random fill (default 'normal'); see kernels/include/fp8lab/utils/random.cuh. */
  distribution?: 'normal' | 'outliers' | 'tiny';
  /** Launch our kernel with programmatic dependent launch (default true). */
  pdl?: boolean;
}

export interface Stats {
  medianUs: number;
  minUs: number;
  maxUs: number;
  /** Relative spread (p90 - p10) / median over rounds. */
  spread: number;
  samples: number;
  /**
   * Per-call time of each round in the order the rounds ran (the bench keeps them): under the
   * 700 W cap the SM clock settles over the first rounds, and this shows how far.
   */
  roundsUs?: number[];
}

export interface Accuracy {
  calcDiff: number;
  maxAbsError: number;
  maxRelError: number;
  /** Output elements still holding the NaN poison after the kernel ran (must be 0). */
  unwritten: number;
  passed: boolean;
}

export interface ShapeResult {
  problem: GemmProblem;
  config: GemmConfig;
  /** Absent only when the compile failed (then `error` says why). */
  registers?: RegisterReport;
  /** Absent only when the compile failed (then `error` says why). */
  compile?: { cacheHit: boolean; ms: number; cacheKey: string };
  accuracy?: Accuracy;
  /** Absent in study mode or when the shape failed. */
  timing?: Stats & { tflops: number; gbps: number; flops: number; bytes: number };
  /**
   * The same problem run by the peers (the best cuBLASLt algorithm, DeepGEMM, torch._scaled_mm) on
   * the same GPU in the same run, interleaved round by round with ours; one entry per peer that was
   * asked for, timed or skipped with the reason.
   */
  peers?: PeerResult[];
  /** Saved runs from before `peers`: the one cuBLASLt column (runArchive converts it on load). */
  peer?: (Stats & { tflops: number; ratio: number; name: string }) | { skipped: string };
  /** Saved runs from before `peers`: cuBLASLt's accuracy. */
  peerAccuracy?: Accuracy;
  /** How the timing departed from the usual method, when it had to (e.g. PDL refused by graph capture). */
  timingNote?: string;
  error?: CodedErrorData;
  /** Grouped kinds: the case in words ("masked 32x4096 m~192 N=6144 K=7168"). */
  caseLabel?: string;
  /** Grouped kinds: what the grouped benchmark measured beyond a normal GEMM's figures. */
  grouped?: GroupedShapeInfo;
  /** Where the config came from (absent in runs saved before the tuning store was consulted). */
  configOrigin?: ConfigOrigin;
}

// ---------------------------------------------------------------------------------------------
// Peers: other implementations of the same problem, measured live next to ours.

/** cuBLASLt in the addon (best of its heuristic's algorithms); DeepGEMM and torch._scaled_mm through the Python helper. */
export type PeerId = 'cublaslt' | 'deepgemm' | 'torch';

export interface PeerTiming extends Stats {
  tflops: number;
  /** The peer's median over ours: above 1 ours is faster. */
  ratio: number;
}

export interface PeerResult {
  id: PeerId;
  /** With its version: "cuBLASLt 13.1", "DeepGEMM 2.6.1", "torch._scaled_mm (PyTorch 2.11.0)". */
  name: string;
  /** What it ran, in its own terms: cuBLASLt's algorithm (id, tile, stages, split-K), DeepGEMM's printed config. */
  config?: string;
  /** Further facts worth a tooltip: algorithms tried, the fastest's id, ... */
  details?: Record<string, string | number>;
  /** Its output checked against the same FP32 reference before it was timed. */
  accuracy?: Accuracy;
  timing?: PeerTiming;
  /** Not timed on this shape: one line saying why (and what would fix it, when something would). */
  skipped?: string;
}

/** Which peers a run could use, said once per run: a missing one says what is missing and the fix. */
export interface PeerAvailability {
  id: PeerId;
  name: string;
  available: boolean;
  version?: string;
  /** When unavailable: "python3 has no module deep_gemm: install DeepGEMM or set fp8lab.pythonPath". */
  reason?: string;
}

/** A grouped case's extras in a ShapeResult (core/grouped/benchRun.ts converts a GroupedBenchRun). */
export interface GroupedShapeInfo {
  /** Which rows the FLOPs count: 'padded' (contiguous), 'valid' (masked), 'all' (k-grouped, wgrad). */
  flopsOver: 'padded' | 'valid' | 'all';
  /** The FLOP and byte convention of timing.tflops / timing.gbps, in words. */
  convention: string;
  /** The valid rows (contiguous: unpadded ΣM; masked: Σ masked_m) or ΣK_g (k-grouped), from the draw. */
  validRows?: number;
  validK?: number;
  /** Rows the kernel must not write: words checked / changed. */
  untouched?: { words: number; changed: number };
  deviceFlags?: number;
}

export interface DeviceCeilings {
  /** Measured once per device and cached; how they were measured is said in `method`. */
  fp8Tflops: number;
  bandwidthGBps: number;
  method: string;
  measuredAt: string;
}

/** What gemm/tune returns: one shape's candidates, checked, then timed interleaved in one run. */
export interface TuneRun {
  problem: GemmProblem;
  startedAt: string;
  finishedAt?: string;
  device?: DeviceReport;
  options: BenchOptions;
  /**
   * One per candidate in the order given, up to where the run stopped (see `interrupted`): a failed
   * candidate (compile, launch, wrong result) has `error` and no `timing`; the others have `timing`.
   */
  results: ShapeResult[];
  /** How the candidates were timed, in words (rounds, interleaving, graph size, rotation). */
  method: string;
  /** Set when a fault, a timeout or a cancel stopped the run; the candidates after it were not measured. */
  interrupted?: { code: ErrorCode; message: string };
}

/** Config fields a user may force (the CLI's --config); the rest is completed by the heuristics. */
export type ConfigOverrides = Partial<
  Pick<
    GemmConfig,
    | 'blockM'
    | 'blockN'
    | 'blockK'
    | 'numStages'
    | 'numMathWarpgroups'
    | 'clusterM'
    | 'clusterN'
    | 'swizzleA'
    | 'swizzleB'
    | 'swizzleD'
    | 'numSms'
    | 'splitK'
    | 'pingpong'
    | 'dSlabs'
  >
>;

/** One timed candidate of a tuned shape. */
export interface TunedCandidate {
  config: GemmConfig;
  predictedUs?: number;
  measuredUs?: number;
  /** Set when the candidate failed (compile, launch or accuracy); it is then not ranked. */
  error?: string;
  chosen: boolean;
}

/** One shape's measured ranking of its candidates next to the cost model's choice. */
export interface ShapeTuning {
  problem: GemmProblem;
  candidates: TunedCandidate[];
  /** Fastest correct candidate, if any was measured. */
  best?: TunedCandidate;
  /** Measured time of the heuristic's choice over the best one (1 = the heuristic was right). */
  regret?: number;
}

/** What gemm/tuneShapes does for each shape: how many candidates, rounds, and whether to save. */
export interface TuneShapesOptions {
  /** The cost model's best N (plus the best of each sweep axis). */
  top: number;
  rounds: number;
  /** Record each shape's ranking in the tuning store as soon as it is measured. */
  save: boolean;
}

/**
 * What gemm/tuneShapes (and `fp8lab tune --json`) returns: each shape's measured ranking, in the
 * order given, up to where it stopped. Also a tune file: "Open saved run…" shows one.
 */
export interface TuneShapesRun {
  startedAt: string;
  finishedAt?: string;
  device?: DeviceReport;
  options: TuneShapesOptions;
  tunings: Array<ShapeTuning & { method: string }>;
  /** Records written to the tuning store, and the file they went to. */
  saved: number;
  savedTo?: string;
  /** Set when a fault or a cancel stopped the run; the shapes after it were not tuned. */
  interrupted?: { code: ErrorCode; message: string };
}

export interface BenchRun {
  id: string;
  startedAt: string;
  finishedAt?: string;
  /** 'gpu' when timed on a device, 'study' when compile-only. */
  mode: 'gpu' | 'study';
  device?: DeviceReport;
  driverVersion?: number;
  toolkitVersion?: string;
  ceilings?: DeviceCeilings;
  /** The options the run used (the seed reproduces its inputs exactly). */
  options?: BenchOptions;
  /** Host cost of one launch from JavaScript, measured once per GPU run. */
  hostOverhead?: { usPerLaunch: number; launches: number; method: string };
  results: ShapeResult[];
  /** Set when the run stopped early (cancel, worker crash); results hold what was measured. */
  interrupted?: { code: ErrorCode; message: string };
  /** Provenance for recorded fixtures ("recorded on H100 80GB HBM3, 2026-11-21"). */
  recorded?: string;
  /** 'grouped' when the run came from gemm/groupedBench (rows carry caseLabel and grouped); absent = normal GEMMs. */
  source?: 'gemm' | 'grouped';
  /** The peers this run asked for and whether each could run (per-shape results are in ShapeResult.peers). */
  peers?: PeerAvailability[];
  /** Grouped cases that failed before a config was chosen (invalid case or layout): no row, only the error. */
  failedCases?: { caseLabel: string; kind: KernelKind; error: CodedErrorData }[];
}
