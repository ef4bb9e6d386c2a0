// Types only: the requests the extension host (and the CLI, in-process) sends to the runtime
// worker, and the results it returns. Everything here is JSON. The worker speaks JSON-RPC
// (vscode-jsonrpc over the child process's IPC channel).

// The domain types (problems, configs, results, errors) live in ./domain and are re-exported here,
// so a file that speaks to the worker needs one import.

import type { AccuracyReport, InputKind, TraceCapture, TraceSummary } from './trace';
import type { MqaBenchOptions, MqaBenchRun, MqaCase, MqaKind } from './mqa';
import type {
  CastRequest,
  CastResult,
  GroupedBenchOptions,
  GroupedBenchRun,
  GroupedCase,
  GroupedSettings,
  TransformScalesRequest,
  TransformScalesResult,
} from './grouped';
import type {
  Accuracy,
  BenchOptions,
  BenchRun,
  CompileJob,
  CompileReport,
  ConfigReport,
  EnvironmentReport,
  GemmConfig,
  GemmProblem,
  ShapeResult,
  Stats,
  TuneRun,
  TuneShapesOptions,
  TuneShapesRun,
} from './domain';

export type * from './domain';

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
  kernelsDir: string; // absolute path of the extension's kernels/ folder
  numSms?: number; // FP8LAB_NUM_SMS
  jitDebug: boolean; // FP8LAB_JIT_DEBUG
  printConfigs: boolean; // FP8LAB_PRINT_CONFIGS
  printCompilerCommand: boolean;
  ptxasVerbose: boolean;
  ptxasCheck: boolean;
  dumpPtx: boolean;
  dumpSass: boolean;
  withLineinfo: boolean;
  jitDefines?: string[]; // FP8LAB_JIT_DEFINES: kernel macros (NAME or NAME=VALUE) passed as -D
  compiledDims?: 'nk' | 'none'; // fp8lab.jit.compiledDims / FP8LAB_JIT_COMPILED_DIMS: N and K compiled into the Normal FP8 GEMM kernels (default 'nk')
  compileTimeoutSeconds?: number; // FP8LAB_JIT_COMPILE_TIMEOUT: a compile past it is killed (E_COMPILE_TIMEOUT); 0 = no limit
  pythonPath?: string; // fp8lab.pythonPath / FP8LAB_PYTHON: the Python that runs the DeepGEMM and torch peers (default python3 on PATH)
}

// ---------------------------------------------------------------------------------------------
// Requests: method name -> params / result. Notifications from the worker are progress reports.

export interface WorkerRequests {
  'env/probe': { params: { settings: RuntimeSettings }; result: EnvironmentReport };
  'kernel/compile': { params: { settings: RuntimeSettings; job: CompileJob }; result: CompileReport };
  'gemm/configs': { params: { settings: RuntimeSettings; problem: GemmProblem }; result: ConfigReport };
  'gemm/bench': {
    params: { settings: RuntimeSettings; jobId: string; problems: GemmProblem[]; options: BenchOptions };
    result: BenchRun;
  };
  /**
   * Several candidate configs of ONE shape on the same inputs, each checked, then timed together in
   * interleaved CUDA-graph rounds (options.peer is ignored); progress and job/cancel as for gemm/bench.
   */
  'gemm/tune': {
    params: {
      settings: RuntimeSettings;
      jobId: string;
      problem: GemmProblem;
      configs: GemmConfig[];
      options: BenchOptions;
    };
    result: TuneRun;
  };
  /**
   * Several shapes tuned in turn (each as gemm/tune: the model's best candidates and the best of each
   * sweep axis, timed interleaved), each ranking saved to the tuning store as it is measured when
   * options.save; progress and job/cancel as for gemm/bench. E_NO_DEVICE without a Hopper GPU.
   */
  'gemm/tuneShapes': {
    params: { settings: RuntimeSettings; jobId: string; problems: GemmProblem[]; options: TuneShapesOptions };
    result: TuneShapesRun;
  };
  /** Pipeline timeline of one shape: progress and job/cancel as for gemm/bench. */
  'gemm/timeline': {
    params: { settings: RuntimeSettings; jobId: string; problem: GemmProblem; options?: TimelineOptions };
    result: TimelineRun;
  };
  /** Accuracy study of one shape: the design vs per-tensor scaling vs no promotion, against FP32. */
  'gemm/accuracy': {
    params: { settings: RuntimeSettings; jobId: string; problem: GemmProblem; options: AccuracyOptions };
    result: AccuracyReport;
  };
  /** Grouped / weight-gradient GEMMs: cases checked and timed; progress and job/cancel as for gemm/bench. */
  'gemm/groupedBench': {
    params: { settings: RuntimeSettings; jobId: string; cases: GroupedCase[]; options: GroupedBenchOptions };
    result: GroupedBenchRun;
  };
  /** FP8 MQA logits (the DeepSeek-V3.2 indexer), plain or paged: cases checked and timed beside DeepGEMM; progress and job/cancel as for gemm/bench. */
  'mqa/bench': {
    params: { settings: RuntimeSettings; jobId: string; kind: MqaKind; cases: MqaCase[]; options: MqaBenchOptions };
    result: MqaBenchRun;
  };
  /** FP8 casts (per-token / per-block / per-channel) of host data on the GPU, scales in the kernels' layouts. */
  'utils/cast': { params: { settings: RuntimeSettings; request: CastRequest }; result: CastResult };
  /** User scales [rows][K/128] -> the TMA-aligned MN-major layout the kernels read. */
  'utils/transformScales': {
    params: { settings: RuntimeSettings; request: TransformScalesRequest };
    result: TransformScalesResult;
  };
  /** TMA-aligned size of a dimension of elementBytes-sized values (16-byte strides). */
  'utils/tmaAlignedSize': { params: { size: number; elementBytes: number }; result: { alignedSize: number } };
  /** SMs the persistent kernels may use and the contiguous layouts' M/K alignment (get; set with a partial change). */
  'utils/getGroupedSettings': { params: { settings: RuntimeSettings }; result: GroupedSettings };
  'utils/setGroupedSettings': {
    params: { settings: RuntimeSettings; change: Partial<GroupedSettings> };
    result: GroupedSettings;
  };
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
  index: number; // problem index
  total: number;
  phase: 'compiling' | 'checking' | 'timing' | 'peer' | 'done';
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Studies: the pipeline timeline and the accuracy comparison.

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
  vsMeasured: {
    traceUs: number;
    measuredUs: number;
    deviation: number;
    within5Percent: boolean;
    plainUs?: number;
    captureUs?: number;
    compares?: string;
  };
  /** Both kernels timed on the same path, interleaved: the instrumentation's own cost. */
  timing: { plain: Stats; instrumented: Stats; overhead: number; method: string };
}

export interface AccuracyOptions {
  input: InputKind;
  /** 0 .. 2^32-1; recorded in the report (the same seed reproduces the same inputs). */
  seed: number;
}
