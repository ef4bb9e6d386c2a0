// What the FP8 MQA-logits kernels can take (pure): their compile-time parameters for a case, the
// shared-memory layout (mirroring kernels/include/fp8lab/impls/sm90_fp8_mqa_logits.cuh and
// sm90_fp8_paged_mqa_logits.cuh; the generated translation unit static_asserts that both agree), and
// the coded problems of a shape or of the paged inputs, each saying what would work.
import type {
  MqaCase,
  MqaKernelConfig,
  MqaLogitsStride,
  MqaPagedCase,
  MqaPlainCase,
  MqaProblem,
} from '../../../protocol/mqa';

export const MQA_HEADS = [32, 64] as const;
export const MQA_HEAD_DIMS = [64, 128] as const;
export const MQA_WGMMA_N = 128; // plain: BLOCK_Q x heads
export const MQA_PAGE_KEYS = 64; // paged: keys per page (DeepGEMM's sm90 block_kv)
export const MQA_MATH_WARPGROUPS = 4; // 64 keys each: BLOCK_KV = 256 (plain), 4 pages per split (paged)
export const MQA_Q_STAGES = 3;
export const MQA_KV_STAGES = 3;
export const SMEM_CAPACITY = 232448;
/** The metadata kernel keeps one prefix sum per request in shared memory. */
export const MQA_MAX_BATCH = Math.floor(SMEM_CAPACITY / 4);

const isPositiveInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1;

/** Plain kernel shared memory (bytes): Q, KV, weight and scale stages, then the full/empty barriers. */
export function plainSharedBytes(
  heads: number,
  dim: number,
  qStages = MQA_Q_STAGES,
  kvStages = MQA_KV_STAGES,
  warpgroups = MQA_MATH_WARPGROUPS,
): number {
  const blockQ = MQA_WGMMA_N / heads;
  const blockKv = 64 * warpgroups;
  return (
    qStages * blockQ * heads * dim +
    kvStages * blockKv * dim +
    qStages * blockQ * heads * 4 +
    kvStages * blockKv * 4 +
    2 * (qStages + kvStages) * 8
  );
}

/** Paged kernel shared memory (bytes): a Q ring, one KV ring per math warpgroup, their barriers. */
export function pagedSharedBytes(
  nextN: number,
  heads: number,
  dim: number,
  qStages = MQA_Q_STAGES,
  kvStages = MQA_KV_STAGES,
  warpgroups = MQA_MATH_WARPGROUPS,
): number {
  const n = nextN * heads;
  return (
    qStages * n * dim +
    warpgroups * kvStages * MQA_PAGE_KEYS * dim +
    qStages * n * 4 +
    warpgroups * kvStages * MQA_PAGE_KEYS * 4 +
    2 * (qStages + warpgroups * kvStages) * 8
  );
}

/** The kernel a (valid) case runs. */
export function mqaKernelConfig(c: MqaCase): MqaKernelConfig {
  const nextN = c.kind === 'paged-mqa-logits' ? c.nextN : 1;
  const sharedBytes =
    c.kind === 'paged-mqa-logits' ? pagedSharedBytes(nextN, c.heads, c.dim) : plainSharedBytes(c.heads, c.dim);
  return {
    kind: c.kind,
    heads: c.heads,
    dim: c.dim,
    nextN,
    numQStages: MQA_Q_STAGES,
    numKVStages: MQA_KV_STAGES,
    numMathWarpgroups: MQA_MATH_WARPGROUPS,
    sharedBytes,
    threads: 128 * (MQA_MATH_WARPGROUPS + 1),
  };
}

const problem = (code: MqaProblem['code'], rule: MqaProblem['rule'], message: string): MqaProblem => ({
  code,
  rule,
  message,
});

function headProblems(heads: number, dim: number): MqaProblem[] {
  const out: MqaProblem[] = [];
  if (!(MQA_HEADS as readonly number[]).includes(heads)) {
    out.push(
      problem(
        'E_INVALID_SHAPE',
        'heads',
        `heads must be 32 or 64 (the kernels put queries x heads on the wgmma N = 128 side); got ${heads}. ` +
          'Split more heads into groups of 64, or pad fewer up to 32 with zero weights',
      ),
    );
  }
  if (!(MQA_HEAD_DIMS as readonly number[]).includes(dim)) {
    out.push(
      problem(
        'E_INVALID_SHAPE',
        'head-dim',
        `dim must be 64 or 128 (one 64- or 128-byte swizzled row of e4m3 per head); got ${dim}. ` +
          'Pad dim with zeros up to 64 or 128',
      ),
    );
  }
  return out;
}

/** Problems of a plain case's shape (empty when the kernel takes it). */
export function plainProblems(c: MqaPlainCase): MqaProblem[] {
  const out = headProblems(c.heads, c.dim);
  if (!isPositiveInt(c.seqQ) || !isPositiveInt(c.seqKv)) {
    out.push(
      problem('E_INVALID_SHAPE', 'length', `seq_q and seq_kv must be whole numbers >= 1; got ${c.seqQ} and ${c.seqKv}`),
    );
    return out;
  }
  if (c.seqQ * c.heads >= 2 ** 31) {
    out.push(
      problem(
        'E_INVALID_SHAPE',
        'length',
        `seq_q x heads = ${c.seqQ * c.heads} rows of Q is over the 2^31 a tensor map takes; split the queries`,
      ),
    );
  }
  if (!['causal', 'cp', 'ragged'].includes(c.windows)) {
    out.push(problem('E_INVALID_SHAPE', 'window', `windows must be causal, cp or ragged; got ${String(c.windows)}`));
  }
  if (c.windows === 'cp' && (c.seqKv % c.seqQ !== 0 || c.seqQ % 2 !== 0)) {
    out.push(
      problem(
        'E_INVALID_SHAPE',
        'window',
        `context-parallel windows need seq_kv a multiple of seq_q and seq_q even (DeepGEMM's generator); got seq_q ${c.seqQ}, seq_kv ${c.seqKv}. Use causal or ragged windows`,
      ),
    );
  }
  if (c.windows === 'causal' && c.seqQ > c.seqKv) {
    out.push(
      problem(
        'E_INVALID_SHAPE',
        'window',
        `causal windows end at i + seq_kv - seq_q, so seq_q (${c.seqQ}) must not exceed seq_kv (${c.seqKv}). Use ragged windows`,
      ),
    );
  }
  return out;
}

/** Problems of a paged case's shape. */
export function pagedProblems(c: MqaPagedCase): MqaProblem[] {
  const out = headProblems(c.heads, c.dim);
  if (!isPositiveInt(c.nextN) || c.nextN * c.heads > MQA_WGMMA_N) {
    const hint =
      c.heads === 64
        ? 'With 64 heads next_n may be 1 or 2'
        : c.heads === 32
          ? 'With 32 heads next_n may be 1..4'
          : 'Heads 64 take next_n 1 or 2, heads 32 take 1..4';
    out.push(
      problem(
        'E_INVALID_SHAPE',
        'next-n',
        `next_n x heads must be at most ${MQA_WGMMA_N} (every token and head of a request is one wgmma N); ` +
          `got next_n ${c.nextN} with ${c.heads} heads. ${hint}`,
      ),
    );
  }
  if (!isPositiveInt(c.batch) || !isPositiveInt(c.avgKv)) {
    out.push(
      problem(
        'E_INVALID_SHAPE',
        'length',
        `batch and the average context length must be whole numbers >= 1; got ${c.batch} and ${c.avgKv}`,
      ),
    );
  } else if (c.batch > MQA_MAX_BATCH) {
    out.push(
      problem(
        'E_INVALID_SHAPE',
        'length',
        `batch ${c.batch} is over ${MQA_MAX_BATCH}: the schedule kernel keeps one prefix sum per request in shared memory. Split the batch`,
      ),
    );
  }
  return out;
}

export function caseProblems(c: MqaCase): MqaProblem[] {
  return c.kind === 'mqa-logits' ? plainProblems(c) : pagedProblems(c);
}

/**
 * Problems of the paged inputs a caller hands over: context_lens [batch, next_n] (keys each token
 * sees), block_table [batch, tableStride] (page ids), a cache of numBlocks pages. Checked on the host
 * before launch: a bad page id would make the TMA read another request's keys or fault.
 */
export function pagedInputProblems(
  contextLens: Int32Array | readonly number[],
  nextN: number,
  blockTable: Int32Array | readonly number[],
  tableStride: number,
  numBlocks: number,
): MqaProblem[] {
  const batch = Math.floor(contextLens.length / nextN);
  if (batch * nextN !== contextLens.length) {
    return [
      problem(
        'E_BAD_ARGUMENT',
        'context-len',
        `context_lens has ${contextLens.length} entries, not a multiple of next_n = ${nextN}; it is [batch, next_n]`,
      ),
    ];
  }
  if (blockTable.length !== batch * tableStride) {
    return [
      problem(
        'E_BAD_ARGUMENT',
        'block-table',
        `block_table has ${blockTable.length} entries; [batch = ${batch}, ${tableStride}] needs ${batch * tableStride}`,
      ),
    ];
  }
  for (let b = 0; b < batch; b++) {
    let longest = 0;
    for (let t = 0; t < nextN; t++) {
      const len = contextLens[b * nextN + t];
      if (!Number.isInteger(len) || len < 0) {
        return [
          problem(
            'E_BAD_ARGUMENT',
            'context-len',
            `context_lens[${b}, ${t}] is ${len}; context lengths are whole numbers >= 0`,
          ),
        ];
      }
      longest = Math.max(longest, len);
    }
    const pages = Math.ceil(longest / MQA_PAGE_KEYS);
    if (pages > tableStride) {
      return [
        problem(
          'E_BAD_ARGUMENT',
          'context-len',
          `request ${b} sees ${longest} keys = ${pages} pages of ${MQA_PAGE_KEYS}, but block_table rows hold ${tableStride} pages; widen the table or shorten the context`,
        ),
      ];
    }
    for (let p = 0; p < pages; p++) {
      const id = blockTable[b * tableStride + p];
      if (!Number.isInteger(id) || id < 0 || id >= numBlocks) {
        return [
          problem(
            'E_BAD_ARGUMENT',
            'block-table',
            `block_table[${b}, ${p}] is ${id}; page ids of used pages must be in [0, ${numBlocks - 1}] (the cache has ${numBlocks} pages)`,
          ),
        ];
      }
    }
  }
  return [];
}

/**
 * Logits row stride (elements) the plain kernel writes: 'tight', 16-byte rows over seq_kv; or
 * 'deepgemm', DeepGEMM's allocation (seq_kv + 256 keys rounded up to 1 KB rows), which keeps rows off
 * power-of-two strides.
 */
export function plainLogitsStride(seqKv: number, layout: MqaLogitsStride = 'tight'): number {
  return layout === 'deepgemm' ? Math.ceil((seqKv + 256) / 256) * 256 : Math.ceil(seqKv / 4) * 4;
}

/** Logits row stride for paged: the longest request's pages, in keys. */
export function pagedLogitsStride(maxPages: number): number {
  return Math.max(1, maxPages) * MQA_PAGE_KEYS;
}
