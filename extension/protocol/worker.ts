// Types only: the requests the extension host (and the CLI, in-process) sends to the runtime
// worker, and the results it returns. Everything here is JSON. The worker speaks JSON-RPC
// (vscode-jsonrpc over the child process's IPC channel).

import type { ErrorCode as NativeErrorCode } from '../../native/index';
import type { AccuracyReport, InputKind, TraceCapture, TraceSummary } from './trace';
import type {
  CastRequest, CastResult, GroupedBenchOptions, GroupedBenchRun, GroupedCase, GroupedSettings, TransformScalesRequest, TransformScalesResult,
} from './grouped';

/** Coded errors: the addon's, plus the ones policy and the worker add. */
export type ErrorCode =
  | NativeErrorCode
  | 'E_ADDON_LOAD'        // the .node file is missing or broken (message names the file and the fix)
  | 'E_WORKER_EXITED'     // the worker died with this request in flight
  | 'E_WORKER_TIMEOUT'    // the request outlived fp8lab.runtime.requestTimeoutSeconds; worker restarted
  | 'E_CANCELLED'         // the caller cancelled; what was measured before is kept
  | 'E_UNTRUSTED'         // the workspace is not trusted: nothing is compiled or run
  | 'E_INVALID_SHAPE'     // policy-level shape validation (message says what would work)
  | 'E_INVALID_CONFIG'    // a config the kernels cannot take (message names the rule)
  | 'E_INTERNAL'         // a bug: an unexpected exception in the worker/CLI (stack in `log`)
  | 'E_WRONG_RESULT'     // a kernel's output failed the accuracy check (calc_diff, unwritten elements): not timed
  | 'E_TRACE_FORMAT'     // a trace buffer or accuracy report that does not follow extension/protocol/trace.ts
  | 'E_NO_SASS_TOOLS'    // neither nvdisasm nor cuobjdump found (message says where we looked and what to install)
  | 'E_SASS_FAILED'      // the disassembler failed or printed nothing we could read
  | 'E_SLURM';           // a Slurm command is missing, refused the job or failed (message quotes Slurm's words)

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
  driver: { ok: true; libcudaPath: string; version: number; versionText: string }
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
// Settings the worker needs (the extension passes its settings; the CLI passes env-derived ones).

export interface RuntimeSettings {
  cacheDir: string;
  /** The tuning store's folder (fp8lab.tuning.dbPath, FP8LAB_TUNING_DB, or beside the JIT cache). */
  tuningDbPath?: string;
  compiler: 'nvcc' | 'nvrtc';
  cudaHome: string;
  nvccPath: string;
  libcudaPath: string;
  cublasLtPath: string;
  kernelsDir: string;        // absolute path of the extension's kernels/ folder
  numSms?: number;           // FP8LAB_NUM_SMS
  jitDebug: boolean;         // FP8LAB_JIT_DEBUG
  printConfigs: boolean;     // FP8LAB_PRINT_CONFIGS
  printCompilerCommand: boolean;
  ptxasVerbose: boolean;
  ptxasCheck: boolean;
  dumpPtx: boolean;
  dumpSass: boolean;
  withLineinfo: boolean;
  jitDefines?: string[];     // FP8LAB_JIT_DEFINES: kernel macros (NAME or NAME=VALUE) passed as -D
  compileTimeoutSeconds?: number; // FP8LAB_JIT_COMPILE_TIMEOUT: a compile past it is killed (E_COMPILE_TIMEOUT); 0 = no limit
  pythonPath?: string;       // fp8lab.pythonPath / FP8LAB_PYTHON: the Python that runs the DeepGEMM and torch peers (default python3 on PATH)
}

// ---------------------------------------------------------------------------------------------
// Requests: method name -> params / result. Notifications from the worker are progress reports.

export interface WorkerRequests {
  'env/probe': { params: { settings: RuntimeSettings }; result: EnvironmentReport };
  'kernel/compile': { params: { settings: RuntimeSettings; job: CompileJob }; result: CompileReport };
  'gemm/configs': { params: { settings: RuntimeSettings; problem: GemmProblem }; result: ConfigReport };
  'gemm/bench': { params: { settings: RuntimeSettings; jobId: string; problems: GemmProblem[]; options: BenchOptions }; result: BenchRun };
  /**
   * Several candidate configs of ONE shape on the same inputs, each checked, then timed together in
   * interleaved CUDA-graph rounds (options.peer is ignored); progress and job/cancel as for gemm/bench.
   */
  'gemm/tune': { params: { settings: RuntimeSettings; jobId: string; problem: GemmProblem; configs: GemmConfig[]; options: BenchOptions }; result: TuneRun };
  /** Pipeline timeline of one shape (issue 6): progress and job/cancel as for gemm/bench. */
  'gemm/timeline': { params: { settings: RuntimeSettings; jobId: string; problem: GemmProblem; options?: TimelineOptions }; result: TimelineRun };
  /** Accuracy study of one shape: the design vs per-tensor scaling vs no promotion, against FP32. */
  'gemm/accuracy': { params: { settings: RuntimeSettings; jobId: string; problem: GemmProblem; options: AccuracyOptions }; result: AccuracyReport };
  /** Grouped / weight-gradient GEMMs (issue 4): cases checked and timed; progress and job/cancel as for gemm/bench. */
  'gemm/groupedBench': { params: { settings: RuntimeSettings; jobId: string; cases: GroupedCase[]; options: GroupedBenchOptions }; result: GroupedBenchRun };
  /** FP8 casts (per-token / per-block / per-channel) of host data on the GPU, scales in the kernels' layouts. */
  'utils/cast': { params: { settings: RuntimeSettings; request: CastRequest }; result: CastResult };
  /** User scales [rows][K/128] -> the TMA-aligned MN-major layout the kernels read. */
  'utils/transformScales': { params: { settings: RuntimeSettings; request: TransformScalesRequest }; result: TransformScalesResult };
  /** TMA-aligned size of a dimension of elementBytes-sized values (16-byte strides). */
  'utils/tmaAlignedSize': { params: { size: number; elementBytes: number }; result: { alignedSize: number } };
  /** SMs the persistent kernels may use and the contiguous layouts' M/K alignment (get; set with a partial change). */
  'utils/getGroupedSettings': { params: { settings: RuntimeSettings }; result: GroupedSettings };
  'utils/setGroupedSettings': { params: { settings: RuntimeSettings; change: Partial<GroupedSettings> }; result: GroupedSettings };
  'job/cancel': { params: { jobId: string }; result: { cancelled: boolean } };
  'worker/ping': { params: Record<string, never>; result: { pid: number; uptimeMs: number } };
  /** Test hook: a deliberately faulting kernel launch (only when FP8LAB_TEST_HOOKS=1). */
  'test/fault': { params: { settings: RuntimeSettings; kind: 'illegal-address' | 'hang' | 'crash' }; result: never };
}

export interface WorkerNotifications {
  'job/didProgress': JobProgress;
  'job/didMeasure': { jobId: string; result: ShapeResult };
  'log/didWrite': { level: 'info' | 'warn' | 'error'; text: string };
}

export interface JobProgress {
  jobId: string;
  index: number;        // problem index
  total: number;
  phase: 'compiling' | 'checking' | 'timing' | 'peer' | 'done';
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Problems, configs, results

export type KernelKind = 'normal' | 'contiguous' | 'masked' | 'kgrouped' | 'wgrad';

export interface GemmProblem {
  kind: KernelKind;
  m: number; n: number; k: number;
  /** Grouped kinds: number of groups; per-group sizes drawn as DeepGEMM's generators do. */
  numGroups?: number;
  /** Masked: expected m per group (the heuristics' hint); contiguous/k-grouped: expected size. */
  expectedM?: number;
  /** Force a config instead of the heuristic's choice (explorer's "Time", autotune overrides). */
  config?: GemmConfig;
}

export interface GemmConfig {
  blockM: number;
  blockN: number;
  blockK: number;          // always 128 for FP8
  numStages: number;
  numMathWarpgroups: number;
  clusterM: number;        // 1 | 2
  clusterN: number;        // 1 | 2 (clusterM * clusterN <= 2)
  swizzleA: number;        // bytes
  swizzleB: number;
  swizzleD: number;
  numSms: number;
  sharedBytes: number;
  numThreads: number;      // 128 * (1 + numMathWarpgroups)
  /** 2 or 4: each tile's K is split across the CTAs of a cluster (no multicast then); absent = 1. */
  splitK?: number;
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
  /** Grouped kinds: the case as the issue names it ("masked 32x4096 m~192 N=6144 K=7168"). */
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

// ---------------------------------------------------------------------------------------------
// Studies (issue 6): the pipeline timeline and the accuracy comparison.

export interface TimelineOptions {
  /** Timed rounds of each kernel (plain and instrumented, interleaved); default 10. */
  rounds?: number;
  /** Seed of the random inputs (as bench's); default 0. */
  seed?: number;
}

export interface TimelineRun {
  /** The raw capture with timing (what the timeline view and the Perfetto export read). */
  capture: TraceCapture;
  summary: TraceSummary;
  /** The instrumented kernel's output checked against the FP32 reference like any bench run. */
  accuracy: Accuracy;
  /** The same check of the normal kernel. */
  plainAccuracy: Accuracy;
  /** How the buffer was sized (records per slice, bytes, whether the 1 GiB cap cut it). */
  sizing: { capacity: number; needed: number; bytes: number; capped: boolean; tilesPerCta: number; kBlocks: number };
  /** The trace's span (first to last event) against the instrumented kernel's measured median. */
  /** traceUs vs measuredUs (the instrumented kernel's median per-call time over the replays whose
   *  last launch was recorded; captureUs is the same figure); `compares` says so in words, with the
   *  interleaved timing's figures. plainUs: the normal kernel's time, shown beside it. */
  vsMeasured: { traceUs: number; measuredUs: number; deviation: number; within5Percent: boolean; plainUs?: number; captureUs?: number; compares?: string };
  /** Both kernels timed on the same path, interleaved: the instrumentation's own cost. */
  timing: { plain: Stats; instrumented: Stats; overhead: number; method: string };
}

export interface AccuracyOptions {
  input: InputKind;
  /** 0 .. 2^32-1; recorded in the report (the same seed reproduces the same inputs). */
  seed: number;
}
