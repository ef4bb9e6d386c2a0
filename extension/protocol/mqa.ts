// Types only: the FP8 MQA-logits problems (DeepSeek-V3.2's indexer scoring, plain and paged) as the
// CLI, the worker and saved runs share them. JSON.

import type { ErrorCode } from './domain';

export type MqaKind = 'mqa-logits' | 'paged-mqa-logits';

/** How each query's key window is drawn (DeepGEMM's test generators, plus ragged). */
export type MqaWindows =
  | 'causal' // ks = 0, ke = i + (seqKv - seqQ): the last query sees every key
  | 'cp' // context parallel: two chunks of a CP rank (DeepGEMM's cp_id = cp_size / 3)
  | 'ragged'; // random start and length per query, some empty, some clipped at either end

/** logits[i, j] = Σ_h relu(q[i,h]·kv[j]·scale[j])·w[i,h] for j in [ks[i], ke[i]), -inf for other j < seqKv. */
export interface MqaPlainCase {
  kind: 'mqa-logits';
  seqQ: number;
  seqKv: number;
  heads: number;
  dim: number;
  windows: MqaWindows;
}

/** Decode over a paged KV cache (64-key pages): batch requests of nextN tokens; context lengths ~avgKv. */
export interface MqaPagedCase {
  kind: 'paged-mqa-logits';
  batch: number;
  nextN: number;
  heads: number;
  dim: number;
  avgKv: number;
}

export type MqaCase = MqaPlainCase | MqaPagedCase;

/** One problem with a shape or layout the kernels cannot take, said with what would work. */
export interface MqaProblem {
  code: ErrorCode;
  rule:
    | 'heads'
    | 'head-dim'
    | 'next-n'
    | 'length'
    | 'window'
    | 'context-len'
    | 'block-table'
    | 'page-size'
    | 'alignment'
    | 'smem';
  message: string;
}

/** The kernel's compile-time parameters for one case (the rest is runtime). */
export interface MqaKernelConfig {
  kind: MqaKind;
  heads: number;
  dim: number;
  nextN: number; // 1 for the plain kernel
  numQStages: number;
  numKVStages: number;
  numMathWarpgroups: number;
  sharedBytes: number; // dynamic shared memory the kernel launches with
  threads: number;
}

/** A rule of the MQA kernels' static_asserts that a kernel config breaks (mirrored in core/mqa/mqaCandidates.ts). */
export type MqaConfigRule = 'math-warpgroups' | 'stages' | 'smem' | 'swizzle-alignment' | 'register-split';

/** One kernel config the MQA kernels could be instantiated with, legal or rejected with the rule and why. */
export interface MqaCandidate {
  config: MqaKernelConfig;
  /** Keys one step of the math warpgroups covers: plain BLOCK_KV, paged SPLIT_KV (64 per warpgroup). */
  keysPerStep: number;
  /** The setmaxnreg split: registers per producer thread and per math thread. */
  producerRegisters: number;
  mathRegisters: number;
  rejected?: { rule: MqaConfigRule; reason: string };
}

/** `fp8lab configs --kernel mqa-logits|paged-mqa-logits` and the explorer: every candidate, the runtime's marked. */
export interface MqaConfigReport {
  case: MqaCase;
  /** The config the runtime runs (always the same stages and warpgroups), and why. */
  chosen: MqaKernelConfig;
  chosenIndex: number;
  why: string;
  candidates: MqaCandidate[];
}

// ---------------------------------------------------------------------------------------------
// The benchmark: `fp8lab bench --kernel mqa-logits|paged-mqa-logits`.

export interface MqaBenchOptions {
  timing: boolean; // false: correctness only
  rounds: number;
  seed: number;
  peer?: boolean; // false: without DeepGEMM
  pdl?: boolean;
  /** Plain kernel: the logits rows' stride the bench allocates (default 'tight'; see plainLogitsStride). */
  logitsStride?: MqaLogitsStride;
}

/** 'tight': seq_kv rounded up to 4 floats (16-byte rows); 'deepgemm': what DeepGEMM's API allocates. */
export type MqaLogitsStride = 'tight' | 'deepgemm';
export const MQA_LOGITS_STRIDES: readonly MqaLogitsStride[] = ['tight', 'deepgemm'];

/** The host-side draws of a case (from the seed): what the kernel saw. */
export interface MqaDrawSummary {
  seed: number;
  /** Σ over queries (plain) or requests x tokens (paged) of the keys each one sees. */
  validPairs: number;
  /** Paged: pages in the cache, the longest request's pages, requests without keys. */
  numBlocks?: number;
  maxPages?: number;
  emptyRequests?: number;
  /** Plain: queries with an empty window. */
  emptyWindows?: number;
}

export interface MqaAccuracy {
  calcDiff: number;
  maxAbsError: number;
  /** Elements whose class (value / -inf / untouched) differs from the reference's. */
  classMismatches: number;
  values: number;
  passed: boolean;
}

export interface MqaTiming {
  medianUs: number;
  minUs: number;
  maxUs: number;
  samples: number;
  tflops: number;
  tbps: number;
  flops: number;
  bytes: number;
}

export interface MqaPeerResult {
  id: 'deepgemm';
  name: string;
  accuracy?: { calcDiff: number; passed: boolean };
  timing?: MqaTiming & { ratio: number };
  skipped?: string;
}

export interface MqaResult {
  case: MqaCase;
  draw: MqaDrawSummary;
  config?: MqaKernelConfig;
  kernelName?: string;
  registers?: { registers: number; spillStoresBytes: number; spillLoadsBytes: number; stackFrameBytes: number };
  compile?: { cacheHit: boolean; ms: number; cacheKey: string };
  accuracy?: MqaAccuracy;
  timing?: MqaTiming;
  peers?: MqaPeerResult[];
  error?: { code: ErrorCode; message: string };
}

export interface MqaBenchRun {
  id: string;
  kind: MqaKind;
  startedAt: string;
  finishedAt?: string;
  mode: 'gpu' | 'study';
  device?: { name: string; smCount: number };
  options: MqaBenchOptions;
  results: MqaResult[];
  /** Why DeepGEMM is absent, when it is. */
  peerNote?: string;
  interrupted?: { code: ErrorCode; message: string };
}
