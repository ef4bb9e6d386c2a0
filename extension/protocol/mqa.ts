// Types only: the FP8 MQA-logits problems (DeepSeek-V3.2's indexer scoring, plain and paged) as the
// CLI, the worker and saved runs share them. JSON.

import type { ErrorCode } from './domain';

export type MqaKind = 'mqa-logits' | 'paged-mqa-logits';

/** How each query's key window is drawn (DeepGEMM's test generators, plus ragged). */
export type MqaWindows =
  | 'causal'   // ks = 0, ke = i + (seqKv - seqQ): the last query sees every key
  | 'cp'       // context parallel: two chunks of a CP rank (DeepGEMM's cp_id = cp_size / 3)
  | 'ragged';  // random start and length per query, some empty, some clipped at either end

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
  rule: 'heads' | 'head-dim' | 'next-n' | 'length' | 'window' | 'context-len' | 'block-table' | 'page-size' | 'alignment' | 'smem';
  message: string;
}

/** The kernel's compile-time parameters for one case (the rest is runtime). */
export interface MqaKernelConfig {
  kind: MqaKind;
  heads: number;
  dim: number;
  nextN: number;           // 1 for the plain kernel
  numQStages: number;
  numKVStages: number;
  numMathWarpgroups: number;
  sharedBytes: number;     // dynamic shared memory the kernel launches with
  threads: number;
}
