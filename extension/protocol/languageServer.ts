// Types only: the custom messages between the extension (vscode-languageclient) and the kernel
// language server (extension/server/server.ts). Everything here is JSON.

import type { GemmConfig, GemmProblem, KernelKind } from './domain';
import type { SassLineFacts } from './sass';

/**
 * Custom notifications, method name -> params.
 * - fp8lab/didUpdateFacts (client -> server): a run or compile finished; the facts hovers and lenses show.
 * - fp8lab/didChangeTrust (client -> server): workspace trust changed; nothing compiles while untrusted.
 * - fp8lab/didCompile (server -> client): a background compile started / finished (status, log).
 * - fp8lab/didUpdateSass (client -> server): per-line SASS counts of the listing last shown.
 */
export interface LanguageServerNotifications {
  'fp8lab/didUpdateFacts': KernelFacts;
  'fp8lab/didChangeTrust': DidChangeTrustParams;
  'fp8lab/didCompile': DidCompileParams;
  'fp8lab/didUpdateSass': SassLineFacts;
}

/** What the last run cost for one chosen config: derived from the problem and config, never guessed. */
export interface ConfigCostFacts {
  /** Shared memory of one pipeline stage (A tile + B tile + SFA slice), bytes. */
  sharedBytesPerStage: number;
  /** Dynamic shared memory of the whole kernel (all stages + epilogue tile + barriers), bytes. */
  sharedBytesTotal: number;
  /** Output tiles of the problem: ceil(M/BLOCK_M) * ceil(N/BLOCK_N) (* groups). */
  tiles: number;
  /** tiles / numSms, rounded up. */
  waves: number;
  /** Share of SMs busy in the last wave (0..1]. */
  lastWaveUtilisation: number;
}

/** One problem of the last run and the config the heuristic chose (or the one forced). */
export interface RunConfigFacts {
  problem: GemmProblem;
  config: GemmConfig;
  cost: ConfigCostFacts;
  /** Generated extern "C" entry name of the instantiation, when known. */
  kernelName?: string;
  /** Measured median, when the run was timed on a GPU. */
  medianUs?: number;
  tflops?: number;
  /** Where the config came from: "tuned on this GPU on 2026-12-06", "model calibrated on this GPU", ... */
  origin?: string;
}

/** What ptxas said about one compiled entry function (one instantiation). */
export interface CompileFacts {
  /** Entry function name as ptxas reports it (extern "C", so unmangled). */
  kernelName: string;
  /** Source-level functions this instantiation runs (template names found in its generated source). */
  functions: string[];
  kind?: KernelKind;
  config?: GemmConfig;
  registers: number;
  spillStoresBytes: number;
  spillLoadsBytes: number;
  stackFrameBytes: number;
  staticSharedBytes: number;
  /** Dynamic shared memory the launch asks for (config.sharedBytes), when known. */
  dynamicSharedBytes?: number;
  /** ISO time of the compile. */
  compiledAt: string;
  /** 'run' (runtime worker), 'explorer', 'save' (the language server's own background compile). */
  origin: 'run' | 'explorer' | 'save';
}

/** Everything the server knows about the last run and compiles (params of fp8lab/didUpdateFacts). */
export interface KernelFacts {
  version: 1;
  /** ISO time of the last update. */
  updatedAt: string;
  /** Where the run came from, in words ("run 2026-11-21T05:10 on NVIDIA H100 80GB HBM3", "study mode"). */
  runLabel?: string;
  /** The last run's chosen configs, one per problem. */
  configs: RunConfigFacts[];
  /** Last compile of each entry function, keyed by nothing: unique by kernelName. */
  compiles: CompileFacts[];
}

/** initializationOptions the client passes to the server. */
export interface LanguageServerInitOptions {
  trusted: boolean;
  /** Toolkit root (fp8lab.cudaHome, else $CUDA_HOME/$CUDA_PATH, else /usr/local/cuda). */
  cudaHome: string;
  /** nvcc to spawn (fp8lab.jit.nvccPath, else <cudaHome>/bin/nvcc). */
  nvccPath: string;
  /** Absolute path of the kernels/ folder whose include/ the background compile uses. */
  kernelsDir: string;
  /** Facts saved by the previous session, if any. */
  facts?: KernelFacts;
  /** Debounce of the compile-on-save, ms (default 500). */
  debounceMs?: number;
}

export interface DidChangeTrustParams {
  trusted: boolean;
}

export interface DidCompileParams {
  uri: string;
  state: 'started' | 'finished' | 'cancelled' | 'failed' | 'skipped';
  /** One sentence: what was compiled, or why nothing was. */
  message: string;
  /** Instantiations compiled and how long it took. */
  instantiations?: string[];
  elapsedMs?: number;
}
