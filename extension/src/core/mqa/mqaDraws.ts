// The host-side draws of an MQA-logits case (pure, from a seed): each query's key window (plain) or
// each request's context lengths and page table (paged), following DeepGEMM's test generators, and
// the counts the metrics need. The tensors themselves (q, kv, weights) are drawn on the GPU
// (kernels/include/fp8lab/utils/mqa_inputs.cuh) from the same seed.
import type { MqaDrawSummary, MqaPagedCase, MqaPlainCase } from '../../../protocol/mqa';
import { seededUniform } from '../grouped/random';
import { MQA_PAGE_KEYS } from './mqaRules';

export interface PlainDraw {
  ks: Int32Array;
  ke: Int32Array;
  summary: MqaDrawSummary;
}

export interface PagedDraw {
  contextLens: Int32Array; // [batch, nextN]
  blockTable: Int32Array; // [batch, tableStride]
  tableStride: number; // = maxPages (at least 1)
  numBlocks: number; // pages in the cache (at least 1)
  /** Σ over requests of the last token's context: DeepGEMM's count for FLOPs and bytes. */
  sumContext: number;
  summary: MqaDrawSummary;
}

/** Keys query i sees, clipped to [0, seqKv). */
export function windowKeys(ks: number, ke: number, seqKv: number): number {
  return Math.max(0, Math.min(ke, seqKv) - Math.max(ks, 0));
}

/**
 * causal: ks = 0, ke = i + seqKv - seqQ. cp: two chunks of CP rank cp_size / 3 (DeepGEMM's
 * generate_ks_ke_tests). ragged: random start in [-4, seqKv + 4) and length in [0, seqKv / 2 + 70),
 * one query in 7 empty.
 */
export function drawPlain(c: MqaPlainCase, seed: number): PlainDraw {
  const ks = new Int32Array(c.seqQ),
    ke = new Int32Array(c.seqQ);
  const next = seededUniform(seed);
  const chunk = Math.floor(c.seqQ / 2),
    cpSize = Math.floor(c.seqKv / c.seqQ),
    cpId = Math.floor(cpSize / 3);
  let pairs = 0,
    empty = 0;
  for (let i = 0; i < c.seqQ; i++) {
    if (c.windows === 'causal') {
      ks[i] = 0;
      ke[i] = i + c.seqKv - c.seqQ;
    } else if (c.windows === 'cp') {
      ks[i] = 0;
      ke[i] = i < chunk ? cpId * chunk + i : (cpSize * 2 - 1 - cpId) * chunk + (i - chunk);
    } else {
      const start = Math.floor(next() * (c.seqKv + 8)) - 4;
      const len = next() < 1 / 7 ? 0 : Math.floor(next() * (Math.floor(c.seqKv / 2) + 70));
      ks[i] = start;
      ke[i] = start + len;
    }
    const keys = windowKeys(ks[i], ke[i], c.seqKv);
    pairs += keys;
    if (keys === 0) empty++;
  }
  return { ks, ke, summary: { seed, validPairs: pairs, emptyWindows: empty } };
}

/**
 * Context lengths in [0.7, 1.3) x avgKv per request (DeepGEMM's test); the last token sees the whole
 * context, earlier tokens a random prefix of it. Pages shuffled through the cache, so a request's
 * pages are scattered.
 */
export function drawPaged(c: MqaPagedCase, seed: number): PagedDraw {
  const next = seededUniform(seed);
  const contextLens = new Int32Array(c.batch * c.nextN);
  const pages = new Int32Array(c.batch);
  let maxPages = 0,
    numBlocks = 0,
    sumContext = 0,
    pairs = 0,
    empty = 0;
  for (let b = 0; b < c.batch; b++) {
    const len = Math.floor(0.7 * c.avgKv) + Math.floor(next() * Math.max(1, Math.floor(0.6 * c.avgKv)));
    for (let t = 0; t < c.nextN; t++) {
      const v = t === c.nextN - 1 ? len : Math.floor((len + 1) * next());
      contextLens[b * c.nextN + t] = v;
      pairs += v;
    }
    pages[b] = Math.ceil(len / MQA_PAGE_KEYS);
    maxPages = Math.max(maxPages, pages[b]);
    numBlocks += pages[b];
    sumContext += len;
    if (len === 0) empty++;
  }
  const tableStride = Math.max(1, maxPages);
  numBlocks = Math.max(1, numBlocks);
  // Fisher-Yates over the page ids.
  const pool = new Int32Array(numBlocks);
  for (let i = 0; i < numBlocks; i++) pool[i] = i;
  for (let i = numBlocks - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  const blockTable = new Int32Array(c.batch * tableStride);
  let used = 0;
  for (let b = 0; b < c.batch; b++) for (let p = 0; p < pages[b]; p++) blockTable[b * tableStride + p] = pool[used++];
  return {
    contextLens,
    blockTable,
    tableStride,
    numBlocks,
    sumContext,
    summary: { seed, validPairs: pairs, numBlocks, maxPages, emptyRequests: empty },
  };
}

/** FLOPs and bytes of a case (DeepGEMM's counts): 2 · pairs · heads · dim; inputs read + logits written. */
export function mqaWork(c: MqaPlainCase | MqaPagedCase, draw: PlainDraw | PagedDraw): { flops: number; bytes: number } {
  if (c.kind === 'mqa-logits') {
    const d = draw as PlainDraw;
    const flops = 2 * d.summary.validPairs * c.heads * c.dim;
    const bytes =
      c.seqQ * c.heads * c.dim + c.seqKv * c.dim + 4 * (c.seqKv + c.seqQ * c.heads + 2 * c.seqQ) + 4 * c.seqQ * c.seqKv;
    return { flops, bytes };
  }
  const d = draw as PagedDraw;
  const flops = 2 * d.sumContext * c.nextN * c.heads * c.dim;
  const bytes = c.batch * c.nextN * c.heads * (c.dim + 4) + d.sumContext * (c.dim + 4) + 4 * d.sumContext * c.nextN;
  return { flops, bytes };
}
